using Gerbang.Api.Reconciliation;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Payments;

public sealed class ExpiryTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private Reconciler Worker => gerbang.App.Services.GetRequiredService<Reconciler>();

    [Fact]
    public async Task A_payment_is_expired_only_after_its_provider_confirms_and_late_money_still_counts()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 25_000, currency = "IDR", method = "va", bank = "bni", order_id = "ORDER-EXP-1", expires_in = 120 });
        var id = payment.Str("id");
        await Worker.RunAsync(full: false, CancellationToken.None);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));

        gerbang.Clock.Advance(TimeSpan.FromMinutes(3));
        await Worker.RunAsync(full: false, CancellationToken.None);
        Assert.Equal("expired", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.expired'", id));

        var (_, late, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", late.Str("status"));
        Assert.True(late.GetProperty("paid_late").GetBoolean());
    }

    [Fact]
    public async Task A_provider_that_still_takes_money_keeps_the_payment_open()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 25_000, currency = "IDR", method = "va", bank = "bni", order_id = "ORDER-EXP-2", expires_in = 120 });
        var simulated = gerbang.Simulator.Payments[payment.Str("provider_reference")];
        gerbang.Clock.Advance(TimeSpan.FromMinutes(3));

        // The provider extended it: its expiry is later than ours.
        simulated.ExpiresAt = gerbang.Clock.GetUtcNow().AddHours(1);
        await Worker.RunAsync(full: false, CancellationToken.None);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));

        // Asked and still open: the next pass starts with payments asked about longer ago.
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where id = $1 and reconciled_at is not null", payment.Str("id")));
    }

    [Fact]
    public async Task Money_the_provider_took_without_telling_us_is_found_and_credited_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 25_000, currency = "IDR", method = "va", bank = "bni", order_id = "ORDER-EXP-3", expires_in = 120 });
        var simulated = gerbang.Simulator.Payments[payment.Str("provider_reference")];
        simulated.Status = "paid";
        simulated.PaidAmount = 25_000;
        gerbang.Clock.Advance(TimeSpan.FromMinutes(3));

        await Worker.RunAsync(full: false, CancellationToken.None);
        await Worker.RunAsync(full: false, CancellationToken.None);
        var (_, found) = await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}");
        Assert.Equal("paid", found.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{payment.Str("id")}:%"));
        Assert.Equal(25_000 - 4000, (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
    }
}

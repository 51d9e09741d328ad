using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Payments;

public sealed class CancelTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private Task<long> EntriesFor(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    [Fact]
    public async Task A_pending_payment_is_cancelled_at_the_provider_and_announced_and_a_paid_one_is_not()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-CANCEL-1"));
        var (status, cancelled, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/cancel", null);
        Assert.Equal(200, status);
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal("cancelled", gerbang.Simulator.Payments[payment.Str("provider_reference")].Status);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.cancelled'", payment.Str("id")));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/cancel", null)).Status);

        var (_, paid, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-CANCEL-2"));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{paid.Str("id")}/pay", null);
        var (refused, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paid.Str("id")}/cancel", null);
        Assert.Equal(409, refused);
        Assert.Equal("payment_not_cancellable", problem.Str("code"));
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{paid.Str("id")}")).Body.Str("status"));
    }

    [Fact]
    public async Task A_provider_that_refuses_the_cancel_leaves_the_payment_pending()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-CANCEL-REFUSED"));
        gerbang.Simulator.Payments[payment.Str("provider_reference")].Status = "processing_elsewhere";
        var (status, _, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/cancel", null);
        Assert.Equal(409, status);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }

    [Fact]
    public async Task Cancel_racing_the_paid_notification_ends_paid_and_credited_or_cancelled_and_not_credited_every_time()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < 25; round++)
        {
            var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment($"ORDER-RACE-{round}", 10_000));
            var id = payment.Str("id");
            using var start = new ManualResetEventSlim();
            var cancel = Task.Run(async () => { start.Wait(); return await merchant.Client.PostJsonAsync($"/v1/payments/{id}/cancel", null); });
            var pay = Task.Run(async () => { start.Wait(); return await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null); });
            start.Set();
            var cancelled = await cancel;
            await pay;
            Assert.True(cancelled.Status is 200 or 409, $"cancel answered {cancelled.Status}");

            var (_, final) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
            var status = final.Str("status");
            var entries = await EntriesFor(id);
            Assert.True(status is "paid" or "cancelled", $"round {round} ended {status}");
            Assert.Equal(status == "paid" ? 1 : 0, entries);
            Assert.Equal(status == "paid" ? 1 : 0, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.paid'", id));
            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
        }

        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(outcomes.GetValueOrDefault("paid") * (10_000 - 70), balance.GetProperty("available")[0].Long("amount"));
    }
}

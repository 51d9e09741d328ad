using System.Text;
using System.Text.Json.Nodes;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Midtrans;
using Gerbang.Simulators.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The Midtrans adapter against the Midtrans simulator over real HTTP, through the public API.</summary>
public sealed class MidtransTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private string ServerKey => gerbang.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Gerbang.Simulators.Midtrans.MidtransSimulatorOptions>>().Value.ServerKey;

    private static object Pinned(string method, string? bank, string order, long amount = 150_000) => TestApi.Pinned("midtrans", method, bank, order, amount);

    [Theory]
    [InlineData("va", "bca")]
    [InlineData("va", "bni")]
    [InlineData("va", "bri")]
    [InlineData("va", "cimb")]
    [InlineData("va", "permata")]
    [InlineData("va", "mandiri")]
    [InlineData("qris", null)]
    public async Task A_payment_is_issued_by_Midtrans_paid_notified_in_its_format_and_credited(string method, string? bank)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned(method, bank, $"ORDER-MT-{bank ?? method}"));
        Assert.True(status == 201, payment.ToString());
        Assert.Equal("midtrans", payment.Str("provider"));
        var instructions = payment.GetProperty("payment_instructions");
        if (bank == "mandiri")
        {
            Assert.Equal("70012", instructions.Str("biller_code"));
        }

        Assert.True(method == "qris" ? instructions.Str("qr_string").StartsWith("000201", StringComparison.Ordinal) : instructions.Str("va_number").Length >= 10);
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from provider_notifications where provider = 'midtrans' and payment_id = $1 and status = 'applied'", payment.Str("id")));
        Assert.Equal(150_000 - paid.Long("fee"), (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_bank_Midtrans_does_not_serve_is_refused_without_a_payment()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bsi", "ORDER-MT-BSI"));
        Assert.Equal(422, status);
        Assert.Equal("no_provider_available", problem.Str("code"));
        Assert.Equal("provider", problem.Str("param"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Notifications_with_a_wrong_signature_or_an_amount_without_its_decimals_are_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bca", "ORDER-MT-FORGED", 10_000));
        var orderId = gerbang.App.Services.GetRequiredService<MidtransSimulatorState>().Find(payment.Str("provider_reference"))!.OrderId;

        async Task<int> Send(string gross, string signature)
        {
            var body = new JsonObject
            {
                ["order_id"] = orderId,
                ["status_code"] = "200",
                ["gross_amount"] = gross,
                ["transaction_status"] = "settlement",
                ["transaction_id"] = payment.Str("provider_reference"),
                ["fraud_status"] = "accept",
                ["signature_key"] = signature,
            };
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await gerbang.Http.PostAsync("/webhooks/midtrans", content);
            return (int)response.StatusCode;
        }

        Assert.Equal(401, await Send("10000.00", ProviderSigners.MidtransSignatureKey(orderId, "200", "10000.00", "SB-Mid-server-wrong")));
        Assert.Equal(401, await Send("10000", ProviderSigners.MidtransSignatureKey(orderId, "200", "10000.00", ServerKey)));
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
        // Nothing forged was stored (Midtrans's own signed "pending" notification of the charge may be there).
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from provider_notifications where provider = 'midtrans' and body::text like $1 and body::text like '%settlement%'", $"%{orderId}%"));
    }

    [Fact]
    public async Task Expiry_and_a_QRIS_refund_go_through_Midtrans()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, va, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bni", "ORDER-MT-EXP"));
        var (_, expired, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{va.Str("id")}/expire", null);
        Assert.Equal("expired", expired.Str("status"));

        var (_, qris, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-MT-REFUND", 100_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{qris.Str("id")}/pay", null);
        var (status, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{qris.Str("id")}/refunds", new { amount = 40_000 });
        Assert.Equal(201, status);
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");

        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/refunds/{refund.Str("id")}")).Body.Str("status"));
        var transaction = gerbang.App.Services.GetRequiredService<MidtransSimulatorState>().Find(qris.Str("provider_reference"))!;
        Assert.Equal(40_000, transaction.Refunded);
        Assert.Equal("partial_refund", transaction.Status);
    }

    [Fact]
    public async Task A_settlement_sent_twice_and_followed_by_the_stale_pending_notification_credits_once_and_stays_paid()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "permata", "ORDER-MT-DISORDER"));

        // Midtrans notifies "pending" once the charge exists; it has arrived (and changed nothing) before the customer pays.
        for (var i = 0; i < 200 && await gerbang.CountAsync("select count(*) from provider_notifications where payment_id = $1", payment.Str("id")) == 0; i++)
        {
            await Task.Delay(20);
        }

        var knobs = gerbang.App.Services.GetRequiredService<MidtransSimulatorState>().Knobs;
        knobs.DuplicateNotifications = true;
        knobs.OutOfOrderNotifications = true;
        try
        {
            Assert.Equal("paid", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null)).Body.Str("status"));
        }
        finally
        {
            knobs.Reset();
        }

        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{payment.Str("id")}:%"));

        // The stale "pending" is sent after the settlements; it is stored as ignored once it arrives.
        const string ignored = "select count(*) from provider_notifications where payment_id = $1 and status = 'ignored'";
        for (var i = 0; i < 250 && await gerbang.CountAsync(ignored, payment.Str("id")) == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, await gerbang.CountAsync(ignored, payment.Str("id")));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{payment.Str("id")}:%"));
    }
}

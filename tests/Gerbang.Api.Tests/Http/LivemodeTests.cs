using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

/// <summary>Every object the merchant API answers with carries <c>livemode</c>, the mode of the key that asked (contract §1).</summary>
public sealed class LivemodeTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task Every_object_a_test_key_sees_says_livemode_false()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        var objects = new Dictionary<string, JsonElement>();
        objects["webhook_endpoint"] = (await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "*" } })).Body;
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-LIVEMODE"));
        objects["payment"] = payment;
        var id = payment.Str("id");
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        objects["refund"] = (await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 1_000 })).Body;
        objects["bank_account"] = (await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" })).Body;
        objects["checkout_session"] = (await merchant.Client.PostJsonAsync("/v1/checkout/sessions", new { amount = 10_000, currency = "IDR", order_id = "CS-LIVEMODE", methods = new[] { "qris" }, success_url = "https://shop.example/ok", cancel_url = "https://shop.example/no" })).Body;
        objects["merchant"] = (await merchant.Client.GetJsonAsync("/v1/merchant")).Body;
        objects["balance"] = (await merchant.Client.GetJsonAsync("/v1/balance")).Body;
        objects["balance_transaction"] = (await merchant.Client.GetJsonAsync("/v1/balance_transactions?limit=1")).Body.GetProperty("data")[0];
        objects["payment_attempt"] = (await merchant.Client.GetJsonAsync($"/v1/payments/{id}/attempts")).Body.GetProperty("data")[0];
        var paid = (await merchant.Client.GetJsonAsync($"/v1/events?type=payment.paid")).Body.GetProperty("data")[0];
        objects["event"] = paid;
        await receiver.WaitForAsync(w => w.Text.Contains(paid.Str("id"), StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement deliveries;
        do
        {
            deliveries = (await merchant.Client.GetJsonAsync($"/v1/events/{paid.Str("id")}/deliveries")).Body.GetProperty("data");
            Assert.True(DateTime.UtcNow < deadline, "no delivery attempt was recorded");
        }
        while (deliveries.GetArrayLength() == 0);
        objects["webhook_delivery_attempt"] = deliveries[0];

        foreach (var (name, o) in objects)
        {
            Assert.True(o.TryGetProperty("livemode", out var livemode), $"{name} has no livemode");
            Assert.Equal(JsonValueKind.False, livemode.ValueKind);
        }
    }

    [Fact]
    public async Task The_merchant_seen_with_a_live_key_says_livemode_true()
    {
        var live = await gerbang.NewLiveMerchantAsync();
        var (status, merchant) = await live.Client.GetJsonAsync("/v1/merchant");
        Assert.Equal(200, status);
        Assert.True(merchant.GetProperty("livemode").GetBoolean());
        var (patched, after) = await live.Client.PatchJsonAsync("/v1/merchant", new { statement_name = "TOKO LIVE" });
        Assert.Equal(200, patched);
        Assert.True(after.GetProperty("livemode").GetBoolean());
    }
}

using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

public sealed class MerchantIsolationTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task Another_merchant_gets_404_for_every_object_on_every_route_and_changes_nothing()
    {
        var a = await gerbang.NewMerchantAsync("A");
        var b = await gerbang.NewMerchantAsync("B");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, endpoint, _) = await a.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "*" } });
        var (_, payment, _) = await a.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-ISO"));
        var paymentId = payment.Str("id");
        await a.Client.PostJsonAsync($"/v1/test_helpers/payments/{paymentId}/pay", null);
        var (_, events) = await a.Client.GetJsonAsync("/v1/events");
        var eventId = events.GetProperty("data")[0].Str("id");
        var (_, transactions) = await a.Client.GetJsonAsync("/v1/balance_transactions");
        var btId = transactions.GetProperty("data")[0].Str("id");
        var endpointId = endpoint.Str("id");

        foreach (var path in new[]
        {
            $"/v1/payments/{paymentId}", $"/v1/payments/{paymentId}/qr.svg", $"/v1/events/{eventId}", $"/v1/events/{eventId}/deliveries",
            $"/v1/webhook_endpoints/{endpointId}", $"/v1/balance_transactions/{btId}",
        })
        {
            var (status, _) = await b.Client.GetJsonAsync(path);
            Assert.True(status == 404, $"GET {path} gave {status}");
        }

        foreach (var path in new[]
        {
            $"/v1/test_helpers/payments/{paymentId}/pay", $"/v1/test_helpers/payments/{paymentId}/fail", $"/v1/test_helpers/payments/{paymentId}/expire",
            $"/v1/events/{eventId}/resend",
        })
        {
            var (status, _, _) = await b.Client.PostJsonAsync(path, null);
            Assert.True(status == 404, $"POST {path} gave {status}");
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/webhook_endpoints/{endpointId}") { Content = new StringContent("""{"disabled":true}""", System.Text.Encoding.UTF8, "application/json") })
        {
            Assert.Equal(404, (int)(await b.Client.SendAsync(patch)).StatusCode);
        }

        Assert.Equal(404, (int)(await b.Client.DeleteAsync($"/v1/webhook_endpoints/{endpointId}")).StatusCode);

        foreach (var list in new[] { "/v1/payments", "/v1/events", "/v1/webhook_endpoints", "/v1/balance_transactions" })
        {
            var (_, body) = await b.Client.GetJsonAsync(list);
            Assert.Empty(body.GetProperty("data").EnumerateArray());
        }

        var (_, balanceB) = await b.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(0, balanceB.GetProperty("available")[0].Long("amount"));
        var (_, stillEnabled) = await a.Client.GetJsonAsync($"/v1/webhook_endpoints/{endpointId}");
        Assert.Equal("enabled", stillEnabled.Str("status"));
        var (_, stillPaid) = await a.Client.GetJsonAsync($"/v1/payments/{paymentId}");
        Assert.Equal("paid", stillPaid.Str("status"));
    }

    [Fact]
    public async Task Refunds_bank_accounts_and_disbursements_of_one_merchant_are_invisible_to_another()
    {
        var a = await gerbang.NewMerchantAsync("A");
        var b = await gerbang.NewMerchantAsync("B");
        var (_, payment, _) = await a.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-ISO-MONEY", 80_000));
        var paymentId = payment.Str("id");
        await a.Client.PostJsonAsync($"/v1/test_helpers/payments/{paymentId}/pay", null);
        var (_, refund, _) = await a.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 1_000 });
        var (_, account, _) = await a.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "A" });
        using (var ops = await gerbang.AsRoleAsync("ops"))
        {
            await ops.PostJsonAsync($"/admin/v1/merchants/{a.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "isolation test" });
        }

        var (_, payout, _) = await a.Client.PostJsonAsync("/v1/disbursements", new { amount = 10_000, currency = "IDR" });
        var (_, open, _) = await a.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-ISO-OPEN"));

        foreach (var path in new[] { $"/v1/refunds/{refund.Str("id")}", $"/v1/bank_accounts/{account.Str("id")}", $"/v1/disbursements/{payout.Str("id")}" })
        {
            var (status, _) = await b.Client.GetJsonAsync(path);
            Assert.True(status == 404, $"GET {path} gave {status}");
        }

        foreach (var path in new[]
        {
            $"/v1/payments/{paymentId}/refunds", $"/v1/payments/{open.Str("id")}/cancel", $"/v1/bank_accounts/{account.Str("id")}/make_primary",
            $"/v1/test_helpers/disbursements/{payout.Str("id")}/succeed", $"/v1/test_helpers/disbursements/{payout.Str("id")}/fail",
        })
        {
            var (status, _, _) = await b.Client.PostJsonAsync(path, null);
            Assert.True(status == 404, $"POST {path} gave {status}");
        }

        Assert.Equal(404, (int)(await b.Client.DeleteAsync($"/v1/bank_accounts/{account.Str("id")}")).StatusCode);
        var (bPayout, problem, _) = await b.Client.PostJsonAsync("/v1/disbursements", new { amount = 1, currency = "IDR", bank_account = account.Str("id") });
        Assert.Equal(404, bPayout);
        Assert.Equal("bank_account", problem.Str("param"));
        foreach (var list in new[] { "/v1/refunds", "/v1/bank_accounts", "/v1/disbursements" })
        {
            Assert.Empty((await b.Client.GetJsonAsync(list)).Body.GetProperty("data").EnumerateArray());
        }

        Assert.Equal("pending", (await a.Client.GetJsonAsync($"/v1/payments/{open.Str("id")}")).Body.Str("status"));
        Assert.Equal(1_000, (await a.Client.GetJsonAsync($"/v1/payments/{paymentId}")).Body.Long("amount_refunded"));
        Assert.Single((await a.Client.GetJsonAsync("/v1/bank_accounts")).Body.GetProperty("data").EnumerateArray());
    }
}

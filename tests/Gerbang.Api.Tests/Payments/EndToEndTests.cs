using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Payments;

public sealed class EndToEndTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public void The_test_verifier_reproduces_the_S1_vector()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"type":"payment.paid","timestamp":"2024-01-01T00:00:00Z","data":{"payment_id":"pay_0001","amount":150000,"currency":"IDR"}}""");
        Assert.True(StandardWebhooksVerifier.Verify("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "msg_0001", "1704067200", body, "v1,7RDqYQv0FjLoQs1vj3PsjRMh6Hjz0X1nT4Uni4foIS4="));
        Assert.False(StandardWebhooksVerifier.Verify("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "msg_0002", "1704067200", body, "v1,7RDqYQv0FjLoQs1vj3PsjRMh6Hjz0X1nT4Uni4foIS4="));
    }

    [Theory]
    [InlineData("va")]
    [InlineData("qris")]
    public async Task A_paid_payment_reaches_the_merchant_as_a_signed_webhook_and_credits_the_net_amount(string method)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        var (status, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.paid" } });
        Assert.Equal(201, status);
        var secret = endpoint.Str("secret");
        Assert.StartsWith("whsec_", secret);

        var body = method == "va" ? TestApi.VaPayment("ORDER-E2E-1", 150_000) : TestApi.QrisPayment("ORDER-E2E-1", 150_000);
        var (created, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", body, "e2e-" + method);
        Assert.Equal(201, created);
        Assert.Equal("pending", payment.Str("status"));
        Assert.Equal(method, payment.GetProperty("payment_instructions").Str("type"));
        var paymentId = payment.Str("id");

        var (paidStatus, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{paymentId}/pay", null);
        Assert.Equal(200, paidStatus);
        Assert.Equal("paid", paid.Str("status"));
        var fee = paid.Long("fee");
        Assert.Equal(method == "va" ? 4000 : 1050, fee);
        Assert.Equal(150_000 - fee, paid.Long("net"));

        var hook = await receiver.WaitForAsync(w => w.Text.Contains(paymentId, StringComparison.Ordinal));
        Assert.Equal("application/json", hook.Headers["content-type"].Split(';')[0]);
        Assert.True(StandardWebhooksVerifier.Verify(secret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Body, hook.Headers["webhook-signature"]));
        var evt = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("payment.paid", evt.Str("type"));
        Assert.Equal(hook.Headers["webhook-id"], evt.Str("id"));
        Assert.Equal("paid", evt.GetProperty("data").GetProperty("object").Str("status"));
        Assert.False(evt.GetProperty("livemode").GetBoolean());

        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(150_000 - fee, balance.GetProperty("available")[0].Long("amount"));
        var (_, transactions) = await merchant.Client.GetJsonAsync("/v1/balance_transactions");
        var rows = transactions.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["fee", "payment"], rows.Select(r => r.Str("type")));
        Assert.Equal(150_000 - fee, rows[0].Long("balance_after"));
        Assert.Equal(-fee, rows[0].Long("amount"));

        // The receiver has the webhook a moment before the dispatcher has recorded its answer.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (_, deliveries) = await merchant.Client.GetJsonAsync($"/v1/events/{evt.Str("id")}/deliveries");
            if (deliveries.GetProperty("data").EnumerateArray().Any(d => d.GetProperty("succeeded").GetBoolean() && d.GetProperty("http_status").GetInt32() == 200))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the successful delivery attempt was never recorded");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Reading_a_payment_lists_it_and_serves_its_QR_code_as_SVG()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-QR-1"));
        var id = payment.Str("id");
        var qr = payment.GetProperty("payment_instructions");
        Assert.StartsWith("000201", qr.Str("qr_string"));
        Assert.EndsWith($"/v1/payments/{id}/qr.svg", qr.Str("qr_image_url"));

        using var svg = await merchant.Client.GetAsync($"/v1/payments/{id}/qr.svg");
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<svg", await svg.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (status, got) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal(200, status);
        Assert.Equal(id, got.Str("id"));
        var (_, list) = await merchant.Client.GetJsonAsync("/v1/payments?status=pending&method=qris");
        Assert.Contains(list.GetProperty("data").EnumerateArray(), p => p.Str("id") == id);
    }

    [Fact]
    public async Task Lists_page_newest_first_with_cursors()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (_, p, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment($"ORDER-PAGE-{i}"));
            ids.Add(p.Str("id"));
        }

        ids.Reverse();
        var (_, first) = await merchant.Client.GetJsonAsync("/v1/payments?limit=2");
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[..2], first.GetProperty("data").EnumerateArray().Select(p => p.Str("id")));
        var (_, second) = await merchant.Client.GetJsonAsync($"/v1/payments?limit=2&starting_after={ids[1]}");
        Assert.Equal(ids[2..4], second.GetProperty("data").EnumerateArray().Select(p => p.Str("id")));
        var (_, back) = await merchant.Client.GetJsonAsync($"/v1/payments?limit=2&ending_before={ids[2]}");
        Assert.Equal(ids[..2], back.GetProperty("data").EnumerateArray().Select(p => p.Str("id")));
        var (_, byOrder) = await merchant.Client.GetJsonAsync("/v1/payments?order_id=ORDER-PAGE-3");
        Assert.Equal(ids[1], Assert.Single(byOrder.GetProperty("data").EnumerateArray()).Str("id"));
        var (bad, _) = await merchant.Client.GetJsonAsync("/v1/payments?limit=101");
        Assert.Equal(400, bad);
    }

    [Fact]
    public async Task An_open_order_id_cannot_be_used_twice_but_can_after_the_payment_closes()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, first, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DUP"));
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DUP"));
        Assert.Equal(409, status);
        Assert.Equal("order_id_in_use", problem.Str("code"));

        var (expired, closed, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{first.Str("id")}/expire", null);
        Assert.Equal(200, expired);
        Assert.Equal("expired", closed.Str("status"));
        var (again, _, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DUP"));
        Assert.Equal(201, again);
    }
}

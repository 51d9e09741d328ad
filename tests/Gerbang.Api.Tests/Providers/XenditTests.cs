using System.Text;
using System.Text.Json.Nodes;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The Xendit adapter against the Xendit simulator over real HTTP, through the public API.</summary>
public sealed class XenditTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static object Pinned(string method, string? bank, string order, long amount = 150_000) => TestApi.Pinned("xendit", method, bank, order, amount);

    [Theory]
    [InlineData("va", "bca")]
    [InlineData("va", "bni")]
    [InlineData("va", "bri")]
    [InlineData("va", "bsi")]
    [InlineData("va", "mandiri")]
    [InlineData("va", "permata")]
    [InlineData("va", "cimb")]
    [InlineData("qris", null)]
    public async Task A_payment_request_is_issued_by_Xendit_captured_notified_with_its_token_and_credited(string method, string? bank)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned(method, bank, $"ORDER-XN-{bank ?? method}"));
        Assert.True(status == 201, payment.ToString());
        Assert.Equal("xendit", payment.Str("provider"));
        Assert.StartsWith("pr-", payment.Str("provider_reference"));
        var request = gerbang.App.Services.GetRequiredService<XenditSimulatorState>().Find(payment.Str("provider_reference"))!;
        Assert.Equal(method == "qris" ? "QRIS" : bank!.ToUpperInvariant() + "_VIRTUAL_ACCOUNT", request.ChannelCode);

        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(150_000 - paid.Long("fee"), (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_webhook_without_the_callback_token_is_refused_and_changes_nothing()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bca", "ORDER-XN-FORGED"));
        var body = new JsonObject
        {
            ["event"] = "payment.capture",
            ["data"] = new JsonObject { ["payment_id"] = "py-forged", ["payment_request_id"] = payment.Str("provider_reference"), ["status"] = "SUCCEEDED", ["request_amount"] = 150_000, ["currency"] = "IDR" },
        };
        foreach (var token in new[] { null, "not-the-token" })
        {
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/xendit") { Content = content };
            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("x-callback-token", token);
            }

            Assert.Equal(401, (int)(await gerbang.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }

    [Fact]
    public async Task Expiry_cancel_and_a_QRIS_refund_go_through_Xendit_and_VA_refunds_are_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, lapsing, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bri", "ORDER-XN-EXP"));
        Assert.Equal("expired", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{lapsing.Str("id")}/expire", null)).Body.Str("status"));
        var (_, cancelling, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bni", "ORDER-XN-CANCEL"));
        Assert.Equal("cancelled", (await merchant.Client.PostJsonAsync($"/v1/payments/{cancelling.Str("id")}/cancel", null)).Body.Str("status"));

        var (_, va, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bca", "ORDER-XN-VA"));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{va.Str("id")}/pay", null);
        Assert.Equal("refund_not_supported", (await merchant.Client.PostJsonAsync($"/v1/payments/{va.Str("id")}/refunds", null)).Body.Str("code"));

        var (_, qris, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-XN-REFUND", 100_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{qris.Str("id")}/pay", null);
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{qris.Str("id")}/refunds", new { amount = 25_000 });
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");

        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/refunds/{refund.Str("id")}")).Body.Str("status"));
        Assert.Equal(25_000, gerbang.App.Services.GetRequiredService<XenditSimulatorState>().Find(qris.Str("provider_reference"))!.Refunded);
    }

    [Fact]
    public async Task The_Xendit_simulator_answers_a_payment_request_replayed_under_its_idempotency_key_with_the_first_answer()
    {
        var key = gerbang.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<XenditSimulatorOptions>>().Value.SecretKey;
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        var idempotency = "idem-" + Guid.NewGuid().ToString("N");

        async Task<(int Status, JsonNode? Body)> CreateAsync(string reference)
        {
            var body = new JsonObject { ["reference_id"] = reference, ["type"] = "PAY", ["country"] = "ID", ["currency"] = "IDR", ["request_amount"] = 50_000, ["channel_code"] = "QRIS", ["channel_properties"] = new JsonObject() };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/_sim/xendit/v3/payment_requests") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("idempotency-key", idempotency);
            request.Headers.TryAddWithoutValidation("api-version", "2024-11-11");
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }

        var reference = "att_" + Guid.NewGuid().ToString("N");
        var (first, created) = await CreateAsync(reference);
        Assert.True(first == 201, created?.ToJsonString());
        var (again, replayed) = await CreateAsync(reference);
        Assert.Equal(201, again);
        Assert.StartsWith("pr-", created!["payment_request_id"]!.GetValue<string>());
        Assert.Equal(created!["payment_request_id"]?.ToJsonString(), replayed!["payment_request_id"]?.ToJsonString());
        var (other, refused) = await CreateAsync("att_" + Guid.NewGuid().ToString("N"));
        Assert.Equal(409, other);
        Assert.Equal("IDEMPOTENCY_ERROR", refused!["error_code"]?.GetValue<string>());
    }
}

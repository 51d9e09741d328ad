using System.Net;
using System.Text;
using Gerbang.Domain;
using Gerbang.Providers.Http;

namespace Gerbang.Providers.Tests;

/// <summary>The last handler before the network: a test-mode request can never reach production, nor a live one a sandbox.</summary>
public sealed class ProviderModeGuardTests
{
    private sealed class Recorder : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private static (HttpClient Client, Recorder Network) Client(Mode mode)
    {
        var network = new Recorder();
        return (new HttpClient(new ProviderModeGuard(mode) { InnerHandler = network }), network);
    }

    private static string Basic(string key) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));

    [Theory]
    [InlineData("https://api.midtrans.com/v2/charge", null)]
    [InlineData("https://app.midtrans.com/snap/v1/transactions", null)]
    [InlineData("https://api.doku.com/orders/v1/status/INV-1", null)]
    [InlineData("https://my.ipaymu.com/api/v2/payment/direct", null)]
    [InlineData("http://127.0.0.1:9/v3/payment_requests", "xnd_production_abc")]
    [InlineData("http://127.0.0.1:9/v1/checkout/sessions", "sk_live_abc")]
    [InlineData("http://127.0.0.1:9/v2/charge", "Mid-server-abc")]
    public async Task A_test_mode_request_for_a_production_host_or_with_a_live_key_never_leaves(string url, string? key)
    {
        var (client, network) = Client(Mode.Test);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", key.StartsWith("sk_", StringComparison.Ordinal) ? "Bearer " + key : Basic(key));
        }

        await Assert.ThrowsAsync<ProviderModeViolationException>(() => client.SendAsync(request));
        Assert.Equal(0, network.Calls);
    }

    [Theory]
    [InlineData("https://api.sandbox.midtrans.com/v2/charge", null)]
    [InlineData("https://api-sandbox.doku.com/checkout/v1/payment", null)]
    [InlineData("https://sandbox.ipaymu.com/api/v2/payment/direct", null)]
    [InlineData("https://api.xendit.co/v3/payment_requests", "xnd_development_abc")]
    [InlineData("https://api.stripe.com/v1/checkout/sessions", "sk_test_abc")]
    public async Task A_live_request_for_a_sandbox_host_or_with_a_test_key_never_leaves(string url, string? key)
    {
        var (client, network) = Client(Mode.Live);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", key.StartsWith("sk_", StringComparison.Ordinal) ? "Bearer " + key : Basic(key));
        }

        await Assert.ThrowsAsync<ProviderModeViolationException>(() => client.SendAsync(request));
        Assert.Equal(0, network.Calls);
    }

    [Fact]
    public async Task Requests_for_their_own_mode_go_through()
    {
        var (test, testNetwork) = Client(Mode.Test);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "https://api.xendit.co/v3/payment_requests"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", Basic("xnd_development_abc"));
            Assert.Equal(HttpStatusCode.OK, (await test.SendAsync(request)).StatusCode);
        }

        var (live, liveNetwork) = Client(Mode.Live);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "https://api.midtrans.com/v2/charge"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", Basic("Mid-server-abc"));
            Assert.Equal(HttpStatusCode.OK, (await live.SendAsync(request)).StatusCode);
        }

        Assert.Equal((1, 1), (testNetwork.Calls, liveNetwork.Calls));
    }

    [Fact]
    public void A_live_adapter_with_an_empty_secret_is_refused_and_the_message_names_the_setting_not_the_secrets()
    {
        var error = Assert.Throws<ProviderModeViolationException>(() => ProviderModeRules.Validate(
            Mode.Live, "xendit", new Uri("https://api.xendit.co/"), new Dictionary<string, string?> { ["SecretKey"] = "xnd_production_s3cr3t", ["CallbackToken"] = "" }));
        Assert.Contains("CallbackToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
        Assert.Throws<ProviderModeViolationException>(() => ProviderModeRules.Validate(Mode.Test, "midtrans", new Uri("https://api.midtrans.com/"), new Dictionary<string, string?> { ["ServerKey"] = "SB-Mid-server-x" }));
        ProviderModeRules.Validate(Mode.Test, "midtrans", new Uri("https://api.sandbox.midtrans.com/"), new Dictionary<string, string?> { ["ServerKey"] = "SB-Mid-server-x" });
    }
}

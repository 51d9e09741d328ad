using System.Net.Http.Headers;
using System.Text;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The simulators' knobs, set over their control API as a load or fault test would.</summary>
public sealed class SimulatorKnobTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private HttpClient XenditControl()
    {
        var key = gerbang.App.Services.GetRequiredService<IOptions<XenditSimulatorOptions>>().Value.SecretKey;
        var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        return client;
    }

    [Fact]
    public async Task A_rate_limited_provider_answers_429_with_Retry_After_and_Gerbang_reports_it_unavailable()
    {
        using var control = XenditControl();
        Assert.Equal(204, (await control.PostJsonAsync("/_sim/xendit/control/knobs", new { rate_limit_rate = 1.0, retry_after_seconds = 7 })).Status);
        try
        {
            var (_, knobs) = await control.GetJsonAsync("/_sim/xendit/control/knobs");
            Assert.Equal(7, knobs.Long("retry_after_seconds"));

            using var direct = await control.GetAsync("/_sim/xendit/v3/payment_requests/pr-none");
            Assert.Equal(429, (int)direct.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), direct.Headers.RetryAfter?.Delta);

            var merchant = await gerbang.NewMerchantAsync();
            var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 50_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-KNOB-429", provider = "xendit" });
            Assert.Equal(503, status);
            Assert.Equal("provider_unavailable", problem.Str("code"));
        }
        finally
        {
            await control.PostJsonAsync("/_sim/xendit/control/knobs", new { reset = true });
        }

        Assert.Equal(400, (await control.PostJsonAsync("/_sim/xendit/control/knobs", new { no_such_knob = 1 })).Status);
    }

    [Fact]
    public async Task A_seeded_error_rate_fails_the_same_calls_on_every_run()
    {
        using var control = XenditControl();
        async Task<string> RunAsync()
        {
            await control.PostJsonAsync("/_sim/xendit/control/knobs", new { seed = 42, error_rate = 0.5 });
            var outcome = new StringBuilder();
            for (var i = 0; i < 20; i++)
            {
                using var response = await control.GetAsync("/_sim/xendit/v3/payment_requests/pr-none");
                outcome.Append((int)response.StatusCode == 503 ? 'x' : '.');
            }

            return outcome.ToString();
        }

        try
        {
            var first = await RunAsync();
            Assert.Equal(first, await RunAsync());
            Assert.Contains('x', first);
            Assert.Contains('.', first);
        }
        finally
        {
            await control.PostJsonAsync("/_sim/xendit/control/knobs", new { reset = true });
        }
    }

    [Theory]
    [InlineData("simulator", "error")]
    [InlineData("midtrans", "status_message")]
    [InlineData("xendit", "error_code")]
    [InlineData("stripe", "error")]
    [InlineData("ipaymu", "Message")]
    [InlineData("doku", "error")]
    public async Task A_route_the_provider_does_not_have_is_answered_in_its_own_error_shape(string provider, string field)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        foreach (var request in new[] { new HttpRequestMessage(HttpMethod.Get, $"/_sim/{provider}/v9/nothing-here"), new HttpRequestMessage(HttpMethod.Delete, $"/_sim/{provider}/control/knobs") })
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                Assert.Equal(404, (int)response.StatusCode);
                Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.True(body.RootElement.TryGetProperty(field, out _), $"{provider}: {body.RootElement}");
            }
        }
    }
}

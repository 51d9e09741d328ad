using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Providers.Http;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Providers;

/// <summary>Gerbang with a live Xendit adapter whose (loopback) address refuses connections.</summary>
public sealed class LiveXenditFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Providers:Live:Xendit:BaseUrl"] = "http://127.0.0.1:1/";
        settings["Providers:Live:Xendit:SecretKey"] = "xnd_production_" + new string('k', 24);
        settings["Providers:Live:Xendit:CallbackToken"] = new string('t', 40);
        settings["Providers:Live:Xendit:Timeout"] = "00:00:02";
    }
}

/// <summary>Live adapters have their own credentials and client; test payments never reach them, nor live ones the simulators.</summary>
public sealed class LiveModeTests(LiveXenditFixture gerbang) : IClassFixture<LiveXenditFixture>
{
    [Fact]
    public async Task A_live_payment_goes_to_the_live_adapter_and_a_test_payment_to_the_simulator()
    {
        var xendit = gerbang.App.Services.GetRequiredService<XenditSimulatorState>();
        var live = await gerbang.NewLiveMerchantAsync();
        var before = xendit.Requests.Count;
        var (status, problem, _) = await live.Client.PostJsonAsync("/v1/payments", new { amount = 50_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-LIVE-1", provider = "xendit" });
        Assert.Equal(503, status); // the live address refuses: nothing reached the simulator
        Assert.Equal("provider_unavailable", problem.Str("code"));
        Assert.Equal(before, xendit.Requests.Count);

        var test = await gerbang.NewMerchantAsync();
        var (created, payment, _) = await test.Client.PostJsonAsync("/v1/payments", new { amount = 50_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-TEST-1", provider = "xendit" });
        Assert.Equal(201, created);
        Assert.NotNull(xendit.Find(payment.Str("provider_reference")));

        var (_, providers) = await (await gerbang.AsRoleAsync("ops")).GetJsonAsync("/admin/v1/providers");
        var modes = providers.GetProperty("data").EnumerateArray().Single(p => p.Str("name") == "xendit").GetProperty("modes").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(["live", "test"], modes);
    }

    [Theory]
    [InlineData("Providers:Live:Stripe:SecretKey", "", "Providers:Live:Stripe:WebhookSecret", "whsec_x", "SecretKey")]
    [InlineData("Providers:Live:Midtrans:ServerKey", "SB-Mid-server-abc", "Providers:Live:Midtrans:Timeout", "00:00:05", "test key")]
    [InlineData("Providers:Midtrans:BaseUrl", "https://api.midtrans.com/", "Providers:Midtrans:Timeout", "00:00:05", "production host")]
    [InlineData("Providers:Xendit:SecretKey", "xnd_production_abc", "Providers:Xendit:Timeout", "00:00:05", "live key")]
    public async Task Gerbang_refuses_to_start_with_an_empty_live_secret_or_crossed_test_and_live_settings(string key, string value, string otherKey, string otherValue, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Gerbang"] = gerbang.ConnectionString,
            ["Gerbang:MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            [key] = value,
            [otherKey] = otherValue,
        };
        var error = await Assert.ThrowsAsync<ProviderModeViolationException>(() => GerbangApp.BuildAsync([], b => b.Configuration.AddInMemoryCollection(settings)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

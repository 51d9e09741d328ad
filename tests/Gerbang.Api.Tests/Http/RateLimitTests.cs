using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

public sealed class TightLimitsFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Gerbang:RateLimits:MerchantPerSecond"] = "1";
        settings["Gerbang:RateLimits:MerchantBurst"] = "5";
    }
}

public sealed class RateLimitTests(TightLimitsFixture gerbang) : IClassFixture<TightLimitsFixture>
{
    [Fact]
    public async Task A_key_over_its_limit_gets_429_with_Retry_After_while_other_merchants_and_providers_are_unaffected()
    {
        var noisy = await gerbang.NewMerchantAsync("Noisy");
        var quiet = await gerbang.NewMerchantAsync("Quiet");
        var statuses = new List<int>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await noisy.Client.GetAsync("/v1/payments");
            statuses.Add((int)response.StatusCode);
            if ((int)response.StatusCode == 429)
            {
                limited = response;
            }
        }

        Assert.Contains(429, statuses);
        Assert.NotNull(limited);
        Assert.True(int.Parse(limited!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("rate_limited", (await TestApi.ReadAsync(limited)).Str("code"));
        Assert.Equal(200, (await quiet.Client.GetJsonAsync("/v1/payments")).Status);

        // Provider notifications are never limited: a burst gets verified (and refused here, unsigned), never 429.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/webhooks/simulator", "{}")).Status);
        }
    }
}

using System.Net;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Api.Webhooks;

namespace Gerbang.Api.Tests.Webhooks;

public sealed class SsrfTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void Internal_addresses_are_forbidden(string address) => Assert.True(SsrfGuard.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("203.0.113.10")]
    [InlineData("8.8.8.8")]
    [InlineData("2001:4860:4860::8888")]
    public void Public_addresses_are_allowed(string address) => Assert.False(SsrfGuard.IsForbidden(IPAddress.Parse(address)));

    [Fact]
    public async Task Live_endpoints_must_be_https_and_must_not_resolve_inside()
    {
        var live = await gerbang.NewLiveMerchantAsync();
        gerbang.Resolver.Hosts["hooks.internal.test"] = [IPAddress.Parse("10.0.0.8")];
        gerbang.Resolver.Hosts["metadata.test"] = [IPAddress.Parse("203.0.113.10"), IPAddress.Parse("169.254.169.254")];
        gerbang.Resolver.Hosts["shop.public.test"] = [IPAddress.Parse("203.0.113.10")];

        foreach (var (url, code) in new[]
        {
            ("http://shop.public.test/hook", "url_not_https"),
            ("https://hooks.internal.test/hook", "url_forbidden"),
            ("https://metadata.test/hook", "url_forbidden"),
            ("https://127.0.0.1/hook", "url_forbidden"),
            ("https://[::1]/hook", "url_forbidden"),
        })
        {
            var (status, problem, _) = await live.Client.PostJsonAsync("/v1/webhook_endpoints", new { url, enabled_events = new[] { "*" } });
            Assert.True(status == 400, $"{url}: {status}");
            Assert.Equal(code, problem.Str("code"));
        }

        Assert.Equal(0, await gerbang.CountAsync("select count(*) from webhook_endpoints where merchant_id = $1", live.Id));
        var (created, _, _) = await live.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://shop.public.test/hook", enabled_events = new[] { "payment.paid" } });
        Assert.Equal(201, created);

        // Test mode keeps loopback open for local development.
        var test = await gerbang.NewMerchantAsync();
        Assert.Equal(201, (await test.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/hook", enabled_events = new[] { "*" } })).Status);
    }

    [Fact]
    public async Task A_live_delivery_whose_host_now_resolves_inside_is_refused_before_any_connection()
    {
        var live = await gerbang.NewLiveMerchantAsync();
        gerbang.Resolver.Hosts["rebind.test"] = [IPAddress.Parse("203.0.113.20")];
        var (_, endpoint, _) = await live.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://rebind.test/hook", enabled_events = new[] { "payment.paid" } });

        // DNS changes after the endpoint was saved (rebinding): the delivery must not follow it.
        gerbang.Resolver.Hosts["rebind.test"] = [IPAddress.Parse("169.254.169.254")];
        var (sent, evt, _) = await live.Client.PostJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/test", null);
        Assert.Equal(202, sent);
        var eventId = evt.Str("id");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1", eventId) < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "no attempt was recorded");
            await Task.Delay(20);
        }

        Assert.Equal(0, await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1 and (error is distinct from 'address_forbidden' or http_status is not null)", eventId));
        Assert.Contains("rebind.test", gerbang.Resolver.Lookups);
    }
}

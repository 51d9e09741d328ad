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
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("0.1.2.3")]
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("::10.0.0.1")] // IPv4-compatible
    [InlineData("::ffff:0:c0a8:101")] // SIIT of 192.168.1.1
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    [InlineData("2001::1")] // Teredo
    public void Internal_addresses_are_forbidden(string address)
    {
        var parsed = IPAddress.Parse(address);
        Assert.True(SsrfGuard.IsForbidden(parsed));

        // Allowing loopback (test mode, development) allows nothing else, and no loopback in disguise.
        if (!IPAddress.IsLoopback(parsed))
        {
            Assert.True(SsrfGuard.IsForbidden(parsed, allowLoopback: true));
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_allowed_only_when_asked_and_never_through_an_embedded_form(string address)
    {
        Assert.False(SsrfGuard.IsForbidden(IPAddress.Parse(address), allowLoopback: true));
        Assert.True(SsrfGuard.IsForbidden(IPAddress.Parse(address), allowLoopback: false));
        Assert.True(SsrfGuard.IsForbidden(IPAddress.Parse("64:ff9b::7f00:1"), allowLoopback: true));
        Assert.True(SsrfGuard.IsForbidden(IPAddress.Parse("10.0.0.1"), allowLoopback: true));
    }

    [Fact]
    public void Deliveries_never_go_through_a_proxy_so_the_address_checked_is_the_address_dialled()
    {
        using var handler = SsrfGuard.Handler(gerbang.Resolver);
        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
        Assert.NotNull(handler.ConnectCallback);
    }

    [Theory]
    [InlineData("203.0.113.10")]
    [InlineData("8.8.8.8")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("64:ff9b::cb00:710a")] // NAT64 of 203.0.113.10
    [InlineData("2002:cb00:710a::1")] // 6to4 of 203.0.113.10
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

        // Test mode may reach loopback for local development (this install allows it), and nothing else inside.
        var test = await gerbang.NewMerchantAsync();
        Assert.Equal(201, (await test.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/hook", enabled_events = new[] { "*" } })).Status);
        foreach (var url in new[] { "http://hooks.internal.test/hook", "http://metadata.test/hook", "http://169.254.169.254/latest/meta-data", "http://[64:ff9b::a9fe:a9fe]/hook", "http://100.64.0.1/hook" })
        {
            var (status, problem, _) = await test.Client.PostJsonAsync("/v1/webhook_endpoints", new { url, enabled_events = new[] { "*" } });
            Assert.True(status == 400 && problem.Str("code") == "url_forbidden", $"{url}: {status} {problem}");
        }

        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_endpoints where merchant_id = $1", test.Id));
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

/// <summary>Gerbang as deployed: test-mode webhooks may not reach this machine either.</summary>
public sealed class NoLoopbackFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:Webhooks:AllowLoopbackInTestMode"] = "false";
}

public sealed class TestModeSsrfTests(NoLoopbackFixture gerbang) : IClassFixture<NoLoopbackFixture>
{
    [Fact]
    public async Task Without_the_development_setting_a_test_mode_endpoint_cannot_reach_loopback_or_the_database_port()
    {
        var test = await gerbang.NewMerchantAsync();
        var database = new Npgsql.NpgsqlConnectionStringBuilder(gerbang.ConnectionString);
        foreach (var url in new[] { "http://127.0.0.1:9/hook", $"http://localhost:{database.Port}/", "http://[::1]/hook" })
        {
            var (status, problem, _) = await test.Client.PostJsonAsync("/v1/webhook_endpoints", new { url, enabled_events = new[] { "*" } });
            Assert.True(status == 400 && problem.Str("code") == "url_forbidden", $"{url}: {status} {problem}");
        }

        Assert.Equal(0, await gerbang.CountAsync("select count(*) from webhook_endpoints where merchant_id = $1", test.Id));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// Gerbang behind Debian's nginx, started by the test: nginx reaches Gerbang from 127.0.0.9, the one
/// trusted proxy; clients connect to nginx from their own loopback addresses (127.0.0.5, 127.0.0.6).
/// </summary>
public sealed class NginxFixture : GerbangFixture
{
    public const string ProxyAddress = "127.0.0.9";

    private Process? _nginx;
    private string _dir = "";

    public string ProxyUrl { get; private set; } = "";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Gerbang:TrustedProxies"] = ProxyAddress;
        settings["Gerbang:RateLimits:AdminLoginPerMinute"] = "5";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _dir = Directory.CreateTempSubdirectory("gerbang-nginx-").FullName;
        var port = LoopbackApp.FreePort();
        var upstream = new Uri(BaseUrl);
        var conf = Path.Combine(_dir, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            daemon off;
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log warn;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{_dir}}/body;
              proxy_temp_path {{_dir}}/proxy;
              fastcgi_temp_path {{_dir}}/fastcgi;
              uwsgi_temp_path {{_dir}}/uwsgi;
              scgi_temp_path {{_dir}}/scgi;
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://{{upstream.Host}}:{{upstream.Port}};
                  proxy_bind {{ProxyAddress}};
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                }
              }
            }
            """);
        _nginx = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-c", conf, "-p", _dir, "-e", Path.Combine(_dir, "error.log")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        ProxyUrl = $"http://127.0.0.1:{port}";
        using var probe = new HttpClient { BaseAddress = new Uri(ProxyUrl) };
        for (var i = 0; ; i++)
        {
            try
            {
                if ((await probe.GetAsync("/health/live")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (i < 100)
            {
            }

            Assert.True(i < 100 && !_nginx.HasExited, "nginx did not start: " + (File.Exists(Path.Combine(_dir, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(_dir, "error.log")) : ""));
            await Task.Delay(50);
        }
    }

    /// <summary>A client whose connections leave from <paramref name="source"/> (any address of 127/8).</summary>
    public static HttpClient ClientFrom(string source, string baseUrl) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri(baseUrl) };

    public override async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

}

public sealed class TrustedProxyTests(NginxFixture gerbang) : IClassFixture<NginxFixture>
{
    private async Task<string?> LastFailedSignInSourceAsync(string email)
    {
        await using var cmd = gerbang.Db.CreateCommand("select source_ip from audit_log where action = 'admin.login_failed' and after->>'email' = $1 order by at desc limit 1");
        cmd.Parameters.Add(new() { Value = email });
        return (string?)await cmd.ExecuteScalarAsync();
    }

    private static Task<HttpResponseMessage> WrongSignInAsync(HttpClient client, string email, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/login") { Content = JsonContent.Create(new { email, password = "not the password" }) };
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return client.SendAsync(request);
    }

    [Fact]
    public async Task Behind_the_trusted_nginx_the_audit_log_and_sign_in_limits_see_each_client_not_the_proxy()
    {
        using var five = NginxFixture.ClientFrom("127.0.0.5", gerbang.ProxyUrl);
        using var six = NginxFixture.ClientFrom("127.0.0.6", gerbang.ProxyUrl);
        var email = $"nobody-{Guid.NewGuid():N}@gerbang.test";

        Assert.Equal(HttpStatusCode.Unauthorized, (await WrongSignInAsync(five, email)).StatusCode);
        Assert.Equal("127.0.0.5", await LastFailedSignInSourceAsync(email));

        // One client hammering the sign-in is limited; another client behind the same proxy is not.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await WrongSignInAsync(five, email)).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WrongSignInAsync(six, email)).StatusCode);
        Assert.Equal("127.0.0.6", await LastFailedSignInSourceAsync(email));
    }

    [Fact]
    public async Task A_forwarded_address_is_believed_only_from_the_trusted_proxy()
    {
        var email = $"forger-{Guid.NewGuid():N}@gerbang.test";

        // Straight to Gerbang, from an address that is not the proxy: the header is ignored.
        using var direct = NginxFixture.ClientFrom("127.0.0.7", gerbang.BaseUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WrongSignInAsync(direct, email, "198.51.100.23")).StatusCode);
        Assert.Equal("127.0.0.7", await LastFailedSignInSourceAsync(email));

        // Through nginx with a forged first hop: only what the trusted proxy itself saw counts.
        using var viaProxy = NginxFixture.ClientFrom("127.0.0.8", gerbang.ProxyUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WrongSignInAsync(viaProxy, email, "198.51.100.23")).StatusCode);
        Assert.Equal("127.0.0.8", await LastFailedSignInSourceAsync(email));
    }

    [Theory]
    [InlineData("10.0.0.0/8, 192.0.2.1", 3)]
    [InlineData("::1", 1)]
    public void Trusted_proxies_are_addresses_or_networks(string value, int networks)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gerbang:TrustedProxies"] = value }).Build();
        Assert.Equal(networks, Gerbang.Api.Http.TrustedProxies.Parse(configuration).Count);
    }

    [Fact]
    public void A_trusted_proxy_that_is_not_an_address_stops_the_start_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gerbang:TrustedProxies"] = "proxy.internal" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => Gerbang.Api.Http.TrustedProxies.Parse(configuration));
        Assert.Contains("Gerbang:TrustedProxies", error.Message, StringComparison.Ordinal);
    }
}

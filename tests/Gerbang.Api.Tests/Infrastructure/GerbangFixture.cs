using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gerbang.Api.Webhooks;
using Gerbang.Simulators.Generic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gerbang.Api.Tests.Infrastructure;

public sealed record TestMerchant(string Id, string Key, HttpClient Client);

/// <summary>
/// A whole Gerbang on a real Kestrel port of 127.0.0.1 with its own database, the simulators mounted
/// inside it as in test mode, and a clock tests can move. One per test class.
/// </summary>
public class GerbangFixture : IAsyncLifetime
{
    public const string AdminEmail = "root@gerbang.test";
    public const string AdminPassword = "correct horse battery staple";

    public TestClock Clock { get; } = new();

    public FakeResolver Resolver { get; } = new();

    public WebApplication App { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource Db { get; private set; } = null!;

    /// <summary>Where this Gerbang leaves its outgoing mail (invitations).</summary>
    public string MailDirectory { get; } = Path.Combine(Path.GetTempPath(), "gerbang-mail-" + Guid.NewGuid().ToString("N"));

    public GenericSimulatorState Simulator => App.Services.GetRequiredService<GenericSimulatorState>();

    public GenericNotifier Notifier => App.Services.GetRequiredService<GenericNotifier>();

    public WebhookDispatcher Dispatcher => App.Services.GetRequiredService<WebhookDispatcher>();

    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Adds services a test needs beside Gerbang's own (a job handler that probes the worker, …).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    private Dictionary<string, string?> _settings = [];

    /// <summary>Where Gerbang listens: a free loopback port unless a fixture needs to know it in advance.</summary>
    protected virtual string ListenUrl => "http://127.0.0.1:0";

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await TestCluster.NewDatabaseAsync();
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Gerbang"] = ConnectionString,
            ["Gerbang:BootstrapAdmin:Email"] = AdminEmail,
            ["Gerbang:BootstrapAdmin:Password"] = AdminPassword,
            ["Gerbang:PasswordIterations"] = "1000",
            ["Gerbang:MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Gerbang:Database:MaxPoolSize"] = "24",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Gerbang:RateLimits:MerchantPerSecond"] = "100000",
            ["Gerbang:RateLimits:MerchantBurst"] = "100000",
            ["Gerbang:RateLimits:AdminLoginPerMinute"] = "100000",
            ["Gerbang:RateLimits:UnknownKeyPerSecond"] = "100000",
            ["Gerbang:Mail:PickupDirectory"] = MailDirectory,
            ["Gerbang:Webhooks:AllowLoopbackInTestMode"] = "true",
            ["Gerbang:Simulators:InProcess"] = "true",
        };
        Configure(_settings);
        await StartAsync(ListenUrl, []);
        BaseUrl = LoopbackApp.Address(App);
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Db = NpgsqlDataSource.Create(ConnectionString);
    }

    private async Task StartAsync(string url, IReadOnlyList<(Type Type, object Instance)> carried)
    {
        App = await GerbangApp.BuildAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            builder.Configuration["urls"] = url;
            builder.WebHost.UseUrls(url);
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddSingleton<Gerbang.Api.Webhooks.IHostResolver>(Resolver);
            foreach (var (type, instance) in carried)
            {
                builder.Services.AddSingleton(type, instance);
            }

            ConfigureServices(builder.Services);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(LogCapture.Provider);
        });
        await App.StartAsync();
    }

    /// <summary>The simulated providers' state, which lives outside Gerbang and so outlives its restarts.</summary>
    private static readonly Type[] ProviderState =
    [
        typeof(GenericSimulatorState), typeof(Gerbang.Simulators.Midtrans.MidtransSimulatorState), typeof(Gerbang.Simulators.Xendit.XenditSimulatorState),
        typeof(Gerbang.Simulators.Stripe.StripeSimulatorState), typeof(Gerbang.Simulators.Ipaymu.IpaymuSimulatorState), typeof(Gerbang.Simulators.Doku.DokuSimulatorState),
        typeof(Gerbang.Api.ProviderSetup.SimulatorCredentials),
    ];

    /// <summary>
    /// Stops Gerbang and starts a new one on the same database, port and master key. What was only in
    /// the old process (caches, circuits, running jobs) is gone; the providers keep their state, their
    /// credentials and what they have sent, as real providers do while a gateway restarts.
    /// </summary>
    public async Task RestartAsync()
    {
        var carried = ProviderState.Select(t => (t, App.Services.GetRequiredService(t))).ToList();

        await App.StopAsync();
        await App.DisposeAsync();
        await StartAsync(BaseUrl, carried);
    }

    public virtual async Task DisposeAsync()
    {
        var dump = Environment.GetEnvironmentVariable("GERBANG_TEST_LOG");
        if (!string.IsNullOrEmpty(dump))
        {
            await File.AppendAllLinesAsync(dump, LogCapture.Lines);
        }

        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>A fresh sign-in each time: tests move the clock, and tokens live 15 minutes on it.</summary>
    public async Task<string> AdminTokenAsync()
    {
        var login = await Http.PostAsJsonAsync("/admin/v1/login", new { email = AdminEmail, password = AdminPassword });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>A client of this Gerbang presenting <paramref name="key"/> (none when null).</summary>
    public HttpClient KeyClient(string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>An approved merchant's live key.</summary>
    public async Task<TestMerchant> NewLiveMerchantAsync()
    {
        var test = await NewMerchantAsync("Live shop");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/v1/merchants/{test.Id}/approve") { Content = JsonContent.Create(new { reason = "approved for tests" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("live_secret_key").GetString()!;
        return new TestMerchant(test.Id, key, KeyClient(key));
    }

    public async Task<TestMerchant> NewMerchantAsync(string name = "Toko Test")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/merchants") { Content = JsonContent.Create(new { name, reason = "test merchant" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("secret_key").GetString()!;
        return new TestMerchant(body.GetProperty("id").GetString()!, key, KeyClient(key));
    }

    public async Task<long> CountAsync(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

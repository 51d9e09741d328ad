using System.Net;
using System.Net.Sockets;
using Gerbang.Simulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>
/// Gerbang with a live Xendit whose "production" is the Xendit simulator run as its own server on
/// loopback (the standalone simulator host), with production-shaped credentials: live money moves
/// through the real live adapter, over HTTP, and comes back by Xendit's callbacks.
/// </summary>
public class LiveProviderFixture : GerbangFixture
{
    private readonly int _port = LoopbackApp.FreePort();
    private readonly string _secret = "xnd_production_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private readonly string _token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    public WebApplication Provider { get; private set; } = null!;

    /// <summary>The live Xendit's control API (pay a payment request, settle a payout), authenticated.</summary>
    public HttpClient ProviderControl { get; private set; } = null!;

    protected override string ListenUrl => $"http://127.0.0.1:{_port}";

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulators:Xendit:SecretKey"] = _secret,
            ["Simulators:Xendit:CallbackToken"] = _token,
            ["Simulators:Xendit:CallbackUrl"] = ListenUrl + "/webhooks/xendit",
            ["Simulators:Xendit:PayoutCallbackUrl"] = ListenUrl + "/webhooks/xendit/payouts",
        });
        builder.Services.AddSimulators(builder.Configuration);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        Provider = builder.Build();
        Provider.MapSimulators("/");
        await Provider.StartAsync();
        ProviderControl = new HttpClient { BaseAddress = new Uri(LoopbackApp.Address(Provider) + "/xendit/") };
        ProviderControl.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_secret + ":")));
        await base.InitializeAsync();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Providers:Live:Xendit:BaseUrl"] = LoopbackApp.Address(Provider) + "/xendit/";
        settings["Providers:Live:Xendit:SecretKey"] = _secret;
        settings["Providers:Live:Xendit:CallbackToken"] = _token;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        ProviderControl.Dispose();
        await Provider.StopAsync();
        await Provider.DisposeAsync();
    }

}

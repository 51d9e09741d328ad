using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>The servers around Gerbang in a test (a merchant's endpoint, a shop, a proxy): small apps on a free loopback port.</summary>
public static class LoopbackApp
{
    /// <summary>Builds, maps (<paramref name="configure"/>) and starts an app on 127.0.0.1, answering it and its base URL.</summary>
    public static async Task<(WebApplication App, string Url)> StartAsync(Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        return (app, Address(app));
    }

    /// <summary>A loopback port free now, for a server whose address must be known before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The base URL a started app listens on.</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

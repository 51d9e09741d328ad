using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gerbang.Api.Http;

/// <summary>
/// Where Gerbang can be reached: its public base URL (for links in responses and provider callbacks)
/// and its own loopback address (for the simulators mounted inside it in test mode).
/// </summary>
public sealed class GerbangUrls(IConfiguration configuration, IServer server)
{
    private string? _self;

    public string Public => configuration["Gerbang:PublicUrl"]?.TrimEnd('/') ?? Self;

    /// <summary>The first address the server listens on, with wildcard hosts made loopback.</summary>
    public string Self => _self ??= Resolve();

    private string Resolve()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server is not listening yet.");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri.ToString().TrimEnd('/');
    }
}

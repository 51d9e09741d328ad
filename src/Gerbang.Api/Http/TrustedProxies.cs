using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Gerbang.Api.Http;

/// <summary>
/// <c>Gerbang:TrustedProxies</c>: the reverse proxies (addresses or networks, comma-separated or as a
/// list) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. The client address
/// is then the nearest one in the chain that is not itself a trusted proxy, and rate limits, lockout
/// and the audit log use it. From anyone else the headers are ignored; with none configured the TCP peer
/// is the client.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "Gerbang:TrustedProxies";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var networks = Parse(configuration);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var n in networks)
            {
                o.KnownIPNetworks.Add(n);
            }

            // Walk the whole chain from the nearest hop, stopping at the first address not trusted.
            o.ForwardLimit = null;
            o.RequireHeaderSymmetry = false;
        });
        return services;
    }

    public static IReadOnlyList<System.Net.IPNetwork> Parse(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .SelectMany(v => v!.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var networks = new List<System.Net.IPNetwork>();
        foreach (var value in values)
        {
            if (System.Net.IPNetwork.TryParse(value, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(value, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
                if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    // The same proxy reached over a dual-stack socket shows as an IPv4-mapped IPv6 peer.
                    networks.Add(new System.Net.IPNetwork(address.MapToIPv6(), 128));
                }
            }
            else
            {
                throw new InvalidOperationException($"{Setting}: '{value}' is neither an IP address nor a network (such as 10.0.0.0/8).");
            }
        }

        return networks;
    }
}

using System.Net;
using System.Net.Sockets;

namespace Gerbang.Api.Webhooks;

/// <summary>Resolves host names; injected so that tests never resolve or dial a real private address.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

public sealed class ForbiddenAddressException(string message) : IOException(message);

/// <summary>
/// Keeps webhooks, in every mode, away from the gateway's own network: loopback, private, carrier-grade
/// NAT, link-local (cloud metadata lives there), benchmark, this-network, multicast and unspecified
/// addresses are refused, and so is any IPv6 form that carries such an IPv4 address (IPv4-mapped,
/// IPv4-compatible, NAT64, 6to4, SIIT). The check runs when an endpoint is saved and again for the
/// address actually dialled at delivery time (DNS may change in between), before any socket opens,
/// and no proxy is ever used for deliveries, so the address checked is the address dialled. Test-mode
/// endpoints may reach loopback only when <c>Gerbang:Webhooks:AllowLoopbackInTestMode</c> says so (the
/// embedded development install does): never a private or metadata address.
/// </summary>
public static class SsrfGuard
{
    public static readonly HttpRequestOptionsKey<bool> AllowLoopback = new("gerbang.allow-loopback");

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Nat64Local = IPNetwork.Parse("64:ff9b:1::/48");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Translated = IPNetwork.Parse("::ffff:0:0:0/96");

    public static bool IsForbidden(IPAddress address) => IsForbidden(address, allowLoopback: false);

    public static bool IsForbidden(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return !allowLoopback;
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0
                || b[0] == 10
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                || b[0] >= 224;
        }

        var v6 = address.GetAddressBytes();
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (v6[0] & 0xfe) == 0xfc || address.IsIPv6Teredo || Nat64Local.Contains(address))
        {
            return true;
        }

        // IPv6 forms that carry an IPv4 address are judged by that address (loopback included: never allowed this way).
        if (Nat64.Contains(address) || Compatible.Contains(address) || Translated.Contains(address))
        {
            return IsForbidden(new IPAddress(v6.AsSpan(12, 4)), allowLoopback: false);
        }

        if (SixToFour.Contains(address))
        {
            return IsForbidden(new IPAddress(v6.AsSpan(2, 4)), allowLoopback: false);
        }

        return false;
    }

    /// <summary>Null when the URL's host is acceptable for live mode; otherwise why not.</summary>
    public static async Task<string?> CheckAsync(Uri url, IHostResolver resolver, bool allowLoopback, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return "the host name does not resolve";
        }

        if (addresses.Length == 0)
        {
            return "the host name does not resolve";
        }

        return addresses.Any(a => IsForbidden(a, allowLoopback)) ? "the host resolves to a private, loopback, link-local or otherwise internal address" : null;
    }

    /// <summary>
    /// The delivery client's connect step: resolve, drop forbidden addresses (loopback only when the
    /// request allows it), and dial only what is left. A refused address never sees a packet. No proxy:
    /// with one, the guard would check only the proxy.
    /// </summary>
    public static SocketsHttpHandler Handler(IHostResolver resolver) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 8,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var allowLoopback = context.InitialRequestMessage.Options.TryGetValue(AllowLoopback, out var allow) && allow;
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
            var permitted = addresses.Where(a => !IsForbidden(a, allowLoopback)).ToArray();
            if (permitted.Length == 0)
            {
                throw new ForbiddenAddressException($"{host} resolves only to addresses webhooks may not reach");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

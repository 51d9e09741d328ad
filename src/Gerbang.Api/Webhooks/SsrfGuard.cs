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
/// Keeps live-mode webhooks away from the gateway's own network: loopback, private, carrier-grade NAT,
/// link-local (cloud metadata lives there), multicast and unspecified addresses are refused, both when
/// an endpoint is saved and again for the address actually dialled at delivery time (DNS may change in
/// between). Test mode may use loopback so that local development works.
/// </summary>
public static class SsrfGuard
{
    public static readonly HttpRequestOptionsKey<bool> AllowPrivate = new("gerbang.allow-private");

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
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
        return address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast
            || (v6[0] & 0xfe) == 0xfc // unique local fc00::/7
            || address.IsIPv6Teredo;
    }

    /// <summary>Null when the URL's host is acceptable for live mode; otherwise why not.</summary>
    public static async Task<string?> CheckAsync(Uri url, IHostResolver resolver, CancellationToken cancellationToken)
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

        return addresses.Any(IsForbidden) ? "the host resolves to a private, loopback, link-local or otherwise internal address" : null;
    }

    /// <summary>
    /// The delivery client's connect step: resolve, drop forbidden addresses unless the request allows
    /// them, and dial only what is left. A refused address never sees a packet.
    /// </summary>
    public static SocketsHttpHandler Handler(IHostResolver resolver) => new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 8,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var allowPrivate = context.InitialRequestMessage.Options.TryGetValue(AllowPrivate, out var allow) && allow;
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
            var permitted = allowPrivate ? addresses : addresses.Where(a => !IsForbidden(a)).ToArray();
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

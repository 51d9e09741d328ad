using System.Collections.Concurrent;
using System.Net;
using Gerbang.Api.Webhooks;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>DNS as a test says it is: no real lookup, and nothing resolved here is ever dialled unless allowed.</summary>
public sealed class FakeResolver : IHostResolver
{
    public ConcurrentDictionary<string, IPAddress[]> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> Lookups { get; } = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.Enqueue(host);
        return Task.FromResult(Hosts.TryGetValue(host, out var addresses) ? addresses : [IPAddress.Loopback]);
    }
}

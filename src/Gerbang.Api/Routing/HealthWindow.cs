namespace Gerbang.Api.Routing;

/// <summary>
/// The last calls to one provider lane (mode, provider, method, bank): a fixed ring of outcomes and
/// latencies, read over a time window. Small and locked: one write per provider call.
/// </summary>
internal sealed class HealthWindow(int size)
{
    private readonly Lock _gate = new();
    private readonly (long At, bool Ok, int LatencyMs)[] _ring = new (long, bool, int)[size];
    private int _next;
    private int _count;

    public void Record(DateTimeOffset at, bool ok, TimeSpan latency)
    {
        lock (_gate)
        {
            _ring[_next] = (at.ToUnixTimeMilliseconds(), ok, (int)Math.Min(int.MaxValue, latency.TotalMilliseconds));
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    public HealthSnapshot Read(DateTimeOffset now, TimeSpan window)
    {
        var since = (now - window).ToUnixTimeMilliseconds();
        var latencies = new List<int>(_ring.Length);
        var ok = 0;
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var (at, success, latency) = _ring[i];
                if (at < since)
                {
                    continue;
                }

                latencies.Add(latency);
                ok += success ? 1 : 0;
            }
        }

        if (latencies.Count == 0)
        {
            return new HealthSnapshot(0, null, null, null);
        }

        latencies.Sort();
        return new HealthSnapshot(latencies.Count, (double)ok / latencies.Count, latencies[(latencies.Count - 1) / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1]);
    }
}

/// <summary>A lane's recent record: calls seen, share that succeeded, median and 95th percentile latency.</summary>
public sealed record HealthSnapshot(int Samples, double? SuccessRate, int? LatencyP50Ms, int? LatencyP95Ms);

namespace Gerbang.Simulators.Shared;

/// <summary>
/// Per-run behaviour of a simulated provider, changed through its control API so that tests can make
/// a provider slow, flaky or silent. Seeded, so a run can be repeated exactly.
/// </summary>
public sealed class SimulatorKnobs
{
    private readonly Lock _gate = new();
    private Random _random = new(1);

    /// <summary>Added to every API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Added after the provider has acted and before it answers: with a caller timeout shorter than
    /// this, the caller is charged but never answered.
    /// </summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Share of API calls (0..1) answered with a 5xx before anything is done.</summary>
    public double ErrorRate { get; set; }

    /// <summary>When true, every API call is refused with 503 (the provider is down).</summary>
    public bool Down { get; set; }

    public void Reseed(int seed)
    {
        lock (_gate)
        {
            _random = new Random(seed);
        }
    }

    public bool ShouldFail()
    {
        if (Down)
        {
            return true;
        }

        if (ErrorRate <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            return _random.NextDouble() < ErrorRate;
        }
    }

    public void Reset()
    {
        Latency = TimeSpan.Zero;
        AnswerDelay = TimeSpan.Zero;
        ErrorRate = 0;
        Down = false;
        Reseed(1);
    }
}

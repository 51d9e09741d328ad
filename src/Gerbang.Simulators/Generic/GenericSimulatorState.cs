using System.Collections.Concurrent;
using Gerbang.Simulators.Shared;

namespace Gerbang.Simulators.Generic;

/// <summary>What the simulated provider remembers, and how many calls it has served (tests count them).</summary>
public sealed class GenericSimulatorState
{
    public ConcurrentDictionary<string, SimulatedPayment> Payments { get; } = new(StringComparer.Ordinal);

    /// <summary>Our references (Gerbang's attempt ids) to simulator ids: the provider-side idempotency.</summary>
    public ConcurrentDictionary<string, string> ByReference { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, SimulatedPayout> Payouts { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, SimulatedRefund> Refunds { get; } = new(StringComparer.Ordinal);

    public SimulatorKnobs Knobs { get; } = new();

    private long _createCalls;

    public long CreateCalls => Interlocked.Read(ref _createCalls);

    public void CountCreate() => Interlocked.Increment(ref _createCalls);
}

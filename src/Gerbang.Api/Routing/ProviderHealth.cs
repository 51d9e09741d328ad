using System.Collections.Concurrent;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Gerbang.Api.Routing;

/// <summary>One routing lane: a provider for one method (and bank) in one mode.</summary>
public readonly record struct HealthKey(Mode Mode, string Provider, PaymentMethod Method, string? Bank);

/// <summary>
/// Each lane's live health in this instance: a Polly circuit breaker that keeps a failing provider out
/// for a while and then lets one trial call through, and a sliding window of outcomes and latencies.
/// Only outages count against a provider (connection refused, 5xx, 429, timeout); a business decline
/// is the provider working.
/// </summary>
public sealed class ProviderHealth(IOptions<RoutingOptions> options, TimeProvider timeProvider)
{
    private enum CallOutcome
    {
        Answered,
        Outage,
    }

    private sealed class Lane(CircuitBreakerStateProvider state, HealthWindow window)
    {
        public ResiliencePipeline<CallOutcome> Breaker { get; set; } = ResiliencePipeline<CallOutcome>.Empty;

        public CircuitBreakerStateProvider State => state;

        public HealthWindow Window => window;

        /// <summary>Until when an open circuit turns calls away; after it, the next call is the trial.</summary>
        public DateTimeOffset BlockedUntil { get; set; }
    }

    private readonly ConcurrentDictionary<HealthKey, Lane> _lanes = new();
    private readonly RoutingOptions _options = options.Value;

    /// <summary>
    /// Calls the provider through the lane's breaker. Null when the circuit is open and the provider
    /// was not called at all.
    /// </summary>
    public async Task<ProviderResult<T>?> CallAsync<T>(HealthKey key, Func<CancellationToken, Task<ProviderResult<T>>> call, CancellationToken cancellationToken)
        where T : class
    {
        var lane = LaneFor(key);
        ProviderResult<T> result = default;
        var started = timeProvider.GetTimestamp();
        try
        {
            await lane.Breaker.ExecuteAsync(
                async ct =>
                {
                    result = await call(ct);
                    return result.Failure is { IsRetryable: true } ? CallOutcome.Outage : CallOutcome.Answered;
                },
                cancellationToken);
        }
        catch (BrokenCircuitException)
        {
            return null;
        }

        lane.Window.Record(timeProvider.GetUtcNow(), result.Failure is not { IsRetryable: true }, timeProvider.GetElapsedTime(started));
        return result;
    }

    public CircuitState Circuit(HealthKey key) => _lanes.TryGetValue(key, out var lane) ? lane.State.CircuitState : CircuitState.Closed;

    /// <summary>
    /// True while an open circuit still turns calls away. Polly reports <c>Open</c> until a call arrives
    /// after the break, so routing asks this instead, or a lane that may be tried again would never be.
    /// </summary>
    public bool IsResting(HealthKey key) =>
        _lanes.TryGetValue(key, out var lane) && lane.State.CircuitState is CircuitState.Open or CircuitState.Isolated && timeProvider.GetUtcNow() < lane.BlockedUntil;

    public HealthSnapshot Snapshot(HealthKey key) =>
        _lanes.TryGetValue(key, out var lane) ? lane.Window.Read(timeProvider.GetUtcNow(), _options.WindowDuration) : new HealthSnapshot(0, null, null, null);

    /// <summary>Every lane that has seen traffic in this instance.</summary>
    public IReadOnlyList<HealthKey> Lanes => [.. _lanes.Keys];

    private Lane LaneFor(HealthKey key) => _lanes.GetOrAdd(key, _ =>
    {
        var lane = new Lane(new CircuitBreakerStateProvider(), new HealthWindow(_options.WindowSize));
        lane.Breaker = new ResiliencePipelineBuilder<CallOutcome> { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<CallOutcome>
            {
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakDuration,
                ShouldHandle = new PredicateBuilder<CallOutcome>().HandleResult(CallOutcome.Outage),
                StateProvider = lane.State,
                OnOpened = args =>
                {
                    lane.BlockedUntil = timeProvider.GetUtcNow() + args.BreakDuration;
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return lane;
    });
}

namespace Gerbang.Providers.Testing;

/// <summary>
/// Makes a simulated provider act as the real one would (the customer pays, the bank fails a payout),
/// so that it sends its own notification in its own format. Exists only for simulators.
/// </summary>
public interface IProviderTestControl
{
    string Provider { get; }

    Task<TestControlResult> PayAsync(string providerReference, long? amount, CancellationToken cancellationToken);

    Task<TestControlResult> FailAsync(string providerReference, CancellationToken cancellationToken);

    Task<TestControlResult> ExpireAsync(string providerReference, CancellationToken cancellationToken);

    Task<TestControlResult> CompletePayoutAsync(string providerReference, bool succeed, CancellationToken cancellationToken);
}

/// <summary>What the simulator did, and how the notified gateway answered it.</summary>
public sealed record TestControlResult(bool Done, int? SimulatorStatus, string? Error);

using Gerbang.Providers.Testing;

namespace Gerbang.Providers.Midtrans;

/// <summary>
/// Drives the Midtrans simulator: the customer pays, the bank refuses, or time runs out. The client
/// carries the simulator's Basic credentials; control calls take the order id (our attempt id).
/// </summary>
public sealed class MidtransTestControl(HttpClient authorizedClient) : IProviderTestControl
{
    private readonly Simulator.SimulatorTestControl _control = new(authorizedClient);

    public string Provider => MidtransProvider.ProviderName;

    public Task<TestControlResult> PayAsync(string providerReference, long? amount, CancellationToken cancellationToken) => SendAsync("pay", providerReference, cancellationToken);

    public Task<TestControlResult> FailAsync(string providerReference, CancellationToken cancellationToken) => SendAsync("fail", providerReference, cancellationToken);

    public Task<TestControlResult> ExpireAsync(string providerReference, CancellationToken cancellationToken) => SendAsync("expire", providerReference, cancellationToken);

    public Task<TestControlResult> CompletePayoutAsync(string providerReference, bool succeed, CancellationToken cancellationToken) =>
        Task.FromResult(new TestControlResult(false, null, "Midtrans payouts are not configured"));

    private Task<TestControlResult> SendAsync(string action, string reference, CancellationToken cancellationToken) =>
        _control.PostAsync($"control/{Uri.EscapeDataString(reference)}/{action}", cancellationToken);
}

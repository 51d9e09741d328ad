namespace Gerbang.Providers.Testing;

/// <summary>
/// Drives a provider simulator whose control API takes <c>control/{reference}/pay|fail|expire</c>
/// (Midtrans, Xendit): the customer pays, the payment fails, or it lapses, and the simulator notifies
/// in its provider's own format. The client carries the simulator's credentials.
/// </summary>
public sealed class ProviderSimulatorControl(string provider, HttpClient authorizedClient) : IProviderTestControl
{
    private readonly Simulator.SimulatorTestControl _control = new(authorizedClient);

    public string Provider => provider;

    public Task<TestControlResult> PayAsync(string providerReference, long? amount, CancellationToken cancellationToken) => SendAsync("pay", providerReference, cancellationToken);

    public Task<TestControlResult> FailAsync(string providerReference, CancellationToken cancellationToken) => SendAsync("fail", providerReference, cancellationToken);

    public Task<TestControlResult> ExpireAsync(string providerReference, CancellationToken cancellationToken) => SendAsync("expire", providerReference, cancellationToken);

    public Task<TestControlResult> CompletePayoutAsync(string providerReference, bool succeed, CancellationToken cancellationToken) =>
        SendAsync(succeed ? "succeed" : "fail", "payouts/" + Uri.EscapeDataString(providerReference), cancellationToken, escaped: true);

    private Task<TestControlResult> SendAsync(string action, string reference, CancellationToken cancellationToken, bool escaped = false) =>
        _control.PostAsync($"control/{(escaped ? reference : Uri.EscapeDataString(reference))}/{action}", cancellationToken);
}

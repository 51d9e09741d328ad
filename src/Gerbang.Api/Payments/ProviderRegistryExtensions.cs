using Gerbang.Api.ProviderSetup;
using Gerbang.Domain.Providers;

namespace Gerbang.Api.Payments;

public static class ProviderRegistryExtensions
{
    /// <summary>
    /// Asks the payment's provider about its current attempt. A provider not configured here, or an
    /// attempt without a provider reference, counts as unreachable: nothing was asked.
    /// </summary>
    public static Task<ProviderResult<ProviderPaymentState>> OnCurrentAttemptAsync(
        this ProviderRegistry registry, PaymentRow payment, Func<IPaymentProvider, string, string, Task<ProviderResult<ProviderPaymentState>>> call) =>
        registry.Find(payment.Mode, payment.Provider) is { } provider && payment.CurrentAttemptId is { } attempt && payment.ProviderReference is { } reference
            ? call(provider, attempt, reference)
            : Task.FromResult<ProviderResult<ProviderPaymentState>>(new ProviderFailure(ProviderFailureKind.ConnectionFailed, "provider_missing", "The provider is not configured."));
}

using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Cancels in two steps. The payment moves to <c>cancelling</c> first (so a paid notification that
/// arrives meanwhile still applies, and wins); the provider is asked; then, only if the payment is still
/// <c>cancelling</c>, it becomes <c>cancelled</c>, or goes back to <c>pending</c> when the provider
/// refused. Every write is a transition from the state it expects, never a rewrite from a stale copy.
/// A card authorisation waiting for capture is voided the same way, and goes back to
/// <c>requires_capture</c> if the provider refuses.
/// </summary>
public sealed class CancelPaymentHandler(PaymentStore store, PaymentTransitions transitions, ProviderRegistry providers, GerbangUrls urls)
{
    public async Task<CancelPaymentOutcome> HandleAsync(MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        var payment = await store.GetAsync(merchant, id, cancellationToken);
        if (payment is null)
        {
            return new CancelPaymentOutcome.Missing();
        }

        var from = payment.Status == PaymentStatus.RequiresCapture ? PaymentStatus.RequiresCapture : PaymentStatus.Pending;
        if (!await transitions.TryMoveAsync(payment.Id, from, PaymentStatus.Cancelling, null, cancellationToken))
        {
            return new CancelPaymentOutcome.NotCancellable((await store.GetAsync(merchant, id, cancellationToken))!.Status.ToWire(), ProviderRefused: false);
        }

        var result = await providers.OnCurrentAttemptAsync(payment, (provider, attempt, reference) => provider.CancelPaymentAsync(attempt, reference, cancellationToken));

        if (result.Value is { Status: PaymentStatus.Cancelled })
        {
            await transitions.TryMoveAsync(payment.Id, PaymentStatus.Cancelling, PaymentStatus.Cancelled, "payment.cancelled", cancellationToken);
        }
        else if (result.Failure is { OutcomeUnknown: true })
        {
            // The provider may have cancelled: stay cancelling; its status or notification settles it.
            return new CancelPaymentOutcome.ProviderTimeout();
        }
        else
        {
            await transitions.TryMoveAsync(payment.Id, PaymentStatus.Cancelling, from, null, cancellationToken);
            if (result.Failure is { Kind: ProviderFailureKind.ConnectionFailed or ProviderFailureKind.ServerError })
            {
                return new CancelPaymentOutcome.ProviderUnavailable(from.ToWire());
            }
        }

        var after = (await store.GetAsync(merchant, id, cancellationToken))!;
        return after.Status == from
            ? new CancelPaymentOutcome.NotCancellable(from.ToWire(), ProviderRefused: true)
            : new CancelPaymentOutcome.Cancelled(PaymentView.Of(after, urls.Public));
    }
}

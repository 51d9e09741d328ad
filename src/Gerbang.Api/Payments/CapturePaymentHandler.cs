using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Captures a card authorisation, wholly or partly (the provider releases the rest). The amount is
/// claimed on the row before the provider is asked, so two captures cannot both go out; the same
/// capture may be repeated after a timeout. The provider's confirmation is applied like its
/// notification would be: one ledger entry, whichever of the two arrives first.
/// </summary>
public sealed class CapturePaymentHandler(
    NpgsqlDataSource dataSource,
    PaymentStore store,
    ProviderRegistry providers,
    PaymentObservations observations,
    GerbangUrls urls,
    TimeProvider timeProvider)
{
    public async Task<CapturePaymentOutcome> HandleAsync(MerchantContext merchant, string id, long? amount, CancellationToken cancellationToken)
    {
        var payment = await store.GetAsync(merchant, id, cancellationToken);
        if (payment is null)
        {
            return new CapturePaymentOutcome.Missing();
        }

        if (payment.CaptureMethod != "manual")
        {
            return new CapturePaymentOutcome.NotCapturable(null);
        }

        var capture = amount ?? payment.Amount.Amount;
        if (capture > payment.Amount.Amount)
        {
            return new CapturePaymentOutcome.ExceedsAuthorized(payment.Amount.Amount);
        }

        if (!await ClaimAsync(payment.Id, capture, cancellationToken))
        {
            var now = (await store.GetAsync(merchant, id, cancellationToken))!;
            return now.Status == PaymentStatus.RequiresCapture && now.CaptureRequested is { } inFlight
                ? new CapturePaymentOutcome.CaptureInProgress(inFlight.Amount)
                : new CapturePaymentOutcome.NotCapturable(now.Status.ToWire());
        }

        var requested = new Money(capture, payment.Amount.Currency);
        var result = await providers.OnCurrentAttemptAsync(payment, (provider, attempt, reference) => provider.CapturePaymentAsync(attempt, reference, requested, cancellationToken));

        if (result.Value is { Status: PaymentStatus.Paid } captured)
        {
            await observations.ApplyCaptureAsync(payment, captured.PaidAmount ?? requested, CancellationToken.None);
        }
        else if (result.Failure is { OutcomeUnknown: true })
        {
            // The provider may have captured: the claim stays until its answer, status or notification settles it.
            return new CapturePaymentOutcome.ProviderTimeout();
        }
        else
        {
            await ReleaseAsync(payment.Id, capture, CancellationToken.None);
            return result.Failure is { Kind: ProviderFailureKind.ConnectionFailed or ProviderFailureKind.ServerError }
                ? new CapturePaymentOutcome.ProviderUnavailable()
                : new CapturePaymentOutcome.Declined(result.Failure?.Message ?? $"The provider answered {result.Value?.RawStatus}; nothing was captured.");
        }

        return new CapturePaymentOutcome.Captured(PaymentView.Of((await store.GetAsync(merchant, id, cancellationToken))!, urls.Public));
    }

    private async Task<bool> ClaimAsync(string paymentId, long amount, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            update payments set capture_requested = $2, updated_at = $3
            where id = $1 and status = 'requires_capture' and (capture_requested is null or capture_requested = $2)
            """);
        cmd.Parameters.Add(new() { Value = paymentId });
        cmd.Parameters.Add(new() { Value = amount });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private Task ReleaseAsync(string paymentId, long amount, CancellationToken cancellationToken) =>
        ReleaseClaimAsync(dataSource, paymentId, amount, cancellationToken);

    /// <summary>Gives up a capture claim (the capture did not happen), so the merchant may capture again.</summary>
    public static async Task ReleaseClaimAsync(NpgsqlDataSource dataSource, string paymentId, long amount, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update payments set capture_requested = null where id = $1 and capture_requested = $2");
        cmd.Parameters.Add(new() { Value = paymentId });
        cmd.Parameters.Add(new() { Value = amount });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

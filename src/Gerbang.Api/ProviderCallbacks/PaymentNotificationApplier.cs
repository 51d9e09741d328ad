using System.Text.Json;
using Gerbang.Api.Payments;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.ProviderCallbacks;

public enum ApplyOutcome
{
    Applied,
    Ignored,
    Flagged,
    UnknownReference,
    RetryLater,
}

/// <summary>
/// Applies one verified, stored notification. The inbox's part is here: the report is matched to its
/// attempt, a report of money or of refunds is confirmed with the provider's status query (whose
/// cumulative amounts, not the notification's, are what counts), and the result becomes an
/// <see cref="Observation"/> that <see cref="PaymentObservations"/> applies by difference, in one
/// transaction with the notification's outcome.
/// </summary>
public sealed partial class PaymentNotificationApplier(
    NpgsqlDataSource dataSource,
    PaymentObservations observations,
    Disbursements.PayoutSettlement payouts,
    TimeProvider timeProvider,
    ILogger<PaymentNotificationApplier> logger)
{
    private sealed record Attempt(string Id, string PaymentId, string? ProviderReference);

    public async Task<ApplyOutcome> ApplyAsync(string notificationId, string provider, Mode mode, IPaymentProvider adapter, ProviderNotification n, CancellationToken cancellationToken)
    {
        if (n.Subject == NotificationSubject.Payout)
        {
            return await ApplyPayoutAsync(notificationId, provider, mode, n, cancellationToken);
        }

        if (n.Subject is not (NotificationSubject.Payment or NotificationSubject.Refund) || n.PaymentStatus is not { } reported)
        {
            await MarkAsync(notificationId, "ignored", "nothing to apply", null, cancellationToken);
            return ApplyOutcome.Ignored;
        }

        var attempt = await FindAttemptAsync(provider, mode, n, cancellationToken);
        if (attempt is null)
        {
            LogUnknownReference(logger, provider, n.ProviderReference);
            await MarkAsync(notificationId, "unknown_reference", "no attempt matches this reference", null, cancellationToken);
            return ApplyOutcome.UnknownReference;
        }

        var transaction = attempt.ProviderReference ?? n.ProviderReference;
        Observation observation;
        if (reported == PaymentStatus.Paid || n.Subject == NotificationSubject.Refund)
        {
            // Money and refunds count only as the provider's own books show them.
            var confirmation = await adapter.GetPaymentStatusAsync(attempt.Id, transaction, cancellationToken);
            if (!confirmation.IsSuccess)
            {
                return ApplyOutcome.RetryLater;
            }

            if (confirmation.Value!.Status != PaymentStatus.Paid)
            {
                await MarkAsync(notificationId, "flagged", $"status query says {confirmation.Value.RawStatus}", attempt.PaymentId, cancellationToken);
                return ApplyOutcome.Flagged;
            }

            var state = confirmation.Value;
            observation = new Observation(provider, mode, attempt.Id, transaction, PaymentStatus.Paid, state.PaidAmount, state.RefundedAmount, state.RawStatus);
        }
        else
        {
            observation = new Observation(provider, mode, attempt.Id, transaction, reported, null, null, n.RawStatus);
        }

        var result = await observations.ApplyAsync(
            attempt.PaymentId,
            observation,
            async (conn, tx) =>
            {
                await using var lockNotification = new NpgsqlCommand("select status from provider_notifications where id = $1 for update", conn, tx);
                lockNotification.Parameters.Add(new() { Value = notificationId });
                return (string?)await lockNotification.ExecuteScalarAsync(cancellationToken) == "received"; // else a concurrent duplicate applied it first
            },
            (batch, outcome) =>
            {
                var mark = new NpgsqlBatchCommand("update provider_notifications set status = $2, flag_reason = $3, payment_id = $4, processed_at = $5 where id = $1");
                mark.Parameters.Add(new() { Value = notificationId });
                mark.Parameters.Add(new() { Value = outcome.Outcome switch { ObservationOutcome.Applied => "applied", ObservationOutcome.Flagged => "flagged", _ => "ignored" } });
                mark.Parameters.Add(new() { Value = (object?)outcome.Reason ?? DBNull.Value });
                mark.Parameters.Add(new() { Value = attempt.PaymentId });
                mark.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
                batch.BatchCommands.Add(mark);
            },
            cancellationToken);
        if (result.Outcome == ObservationOutcome.Flagged)
        {
            LogFlagged(logger, attempt.PaymentId, result.Reason ?? "");
        }

        return result.Outcome switch
        {
            ObservationOutcome.Applied => ApplyOutcome.Applied,
            ObservationOutcome.Flagged => ApplyOutcome.Flagged,
            _ => ApplyOutcome.Ignored,
        };
    }

    /// <summary>
    /// A payout's outcome settles only a disbursement of the mode and provider whose adapter verified the
    /// notification, whichever reference it names.
    /// </summary>
    private async Task<ApplyOutcome> ApplyPayoutAsync(string notificationId, string provider, Mode mode, ProviderNotification n, CancellationToken cancellationToken)
    {
        if (n.OperationStatus is not { } outcome || outcome == ProviderOperationStatus.Pending
            || await DisbursementAsync(provider, mode, n.OurReference, n.ProviderReference, cancellationToken) is not { } disbursementId)
        {
            await MarkAsync(notificationId, "ignored", "payout still in progress or unknown here", null, cancellationToken);
            return ApplyOutcome.Ignored;
        }

        var settled = await payouts.SettleAsync(disbursementId, outcome == ProviderOperationStatus.Succeeded, n.ProviderReference, "payout_failed", cancellationToken);
        await MarkAsync(notificationId, settled ? "applied" : "ignored", settled ? "payout settled" : "payout already settled", null, cancellationToken);
        return settled ? ApplyOutcome.Applied : ApplyOutcome.Ignored;
    }

    private async Task<Attempt?> FindAttemptAsync(string provider, Mode mode, ProviderNotification n, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            select a.id, a.payment_id, a.provider_reference
            from payment_attempts a
            where a.provider = $1 and a.mode = $2 and (a.id = $3 or a.provider_reference = $4)
            limit 1
            """);
        cmd.Parameters.Add(new() { Value = provider });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
        cmd.Parameters.Add(new() { Value = (object?)n.OurReference ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = n.ProviderReference });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Attempt(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    /// <summary>The disbursement a payout notification names (by our id, or only by the provider's reference, as Iris does), of this provider and mode only.</summary>
    private async Task<string?> DisbursementAsync(string provider, Mode mode, string? ourReference, string reference, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("select id from disbursements where provider = $1 and mode = $2 and (id = $3 or provider_reference = $4) limit 1");
        cmd.Parameters.Add(new() { Value = provider });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
        cmd.Parameters.Add(new() { Value = (object?)ourReference ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = reference });
        return (string?)await cmd.ExecuteScalarAsync(cancellationToken);
    }

    private async Task MarkAsync(string notificationId, string status, string reason, string? paymentId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            update provider_notifications set status = $2, flag_reason = $3, payment_id = $4, processed_at = $5
            where id = $1 and status = 'received'
            """);
        cmd.Parameters.Add(new() { Value = notificationId });
        cmd.Parameters.Add(new() { Value = status });
        cmd.Parameters.Add(new() { Value = reason });
        cmd.Parameters.Add(new() { Value = (object?)paymentId ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Notification from {Provider} names unknown reference {Reference}")]
    private static partial void LogUnknownReference(ILogger logger, string provider, string reference);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Notification for payment {PaymentId} flagged for review: {Reason}")]
    private static partial void LogFlagged(ILogger logger, string paymentId, string reason);
}

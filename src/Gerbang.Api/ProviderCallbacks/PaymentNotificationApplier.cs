using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Ledger;
using Gerbang.Api.Payments;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
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
/// Applies one verified, stored notification to its payment. A report of money is first confirmed
/// with the provider's status query; then, in one transaction holding the payment's row lock, the
/// state moves only forward, the amount is compared with what was asked (a mismatch is flagged, not
/// credited), and the ledger entry, the event and the notification's outcome are written together.
/// </summary>
public sealed partial class PaymentNotificationApplier(
    NpgsqlDataSource dataSource,
    LedgerWriter ledger,
    FeeResolver fees,
    Disbursements.PayoutSettlement payouts,
    GerbangUrls urls,
    Webhooks.SubscriberDirectory subscribers,
    TimeProvider timeProvider,
    ILogger<PaymentNotificationApplier> logger)
{
    private sealed record Attempt(string Id, string PaymentId, string MerchantId, string Currency, string? ProviderReference, string Method, long Amount);

    /// <summary>The accounts a payment's money moves through: the provider's clearing, the merchant's available, fees.</summary>
    private static IEnumerable<AccountRef> LedgerAccounts(string merchantId, string provider, Mode mode, Currency currency) =>
        [AccountRef.Clearing(provider, mode, currency), AccountRef.Available(merchantId, mode, currency), AccountRef.Fees(mode, currency)];

    public async Task<ApplyOutcome> ApplyAsync(string notificationId, string provider, Mode mode, IPaymentProvider adapter, ProviderNotification n, CancellationToken cancellationToken)
    {
        if (n.Subject == NotificationSubject.Payout && n.OperationStatus is { } payoutOutcome and not ProviderOperationStatus.Pending
            && (n.OurReference ?? await DisbursementByReferenceAsync(provider, mode, n.ProviderReference, cancellationToken)) is { } disbursementId)
        {
            var settled = await payouts.SettleAsync(disbursementId, payoutOutcome == ProviderOperationStatus.Succeeded, n.ProviderReference, "payout_failed", cancellationToken);
            await MarkAsync(notificationId, settled ? "applied" : "ignored", settled ? "payout settled" : "payout already settled or unknown", null, cancellationToken);
            return settled ? ApplyOutcome.Applied : ApplyOutcome.Ignored;
        }

        if (n.Subject != NotificationSubject.Payment || n.PaymentStatus is not { } reported)
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

        if (reported == PaymentStatus.Paid)
        {
            var confirmation = await adapter.GetPaymentStatusAsync(attempt.Id, attempt.ProviderReference ?? n.ProviderReference, cancellationToken);
            if (!confirmation.IsSuccess)
            {
                return ApplyOutcome.RetryLater;
            }

            if (confirmation.Value!.Status != PaymentStatus.Paid)
            {
                await MarkAsync(notificationId, "flagged", $"status query says {confirmation.Value.RawStatus}", attempt.PaymentId, cancellationToken);
                return ApplyOutcome.Flagged;
            }
        }

        await ledger.PrepareAsync(LedgerAccounts(attempt.MerchantId, provider, mode, n.Amount?.Currency ?? Currency.Parse(attempt.Currency)), cancellationToken);

        // Priced before the transaction opens: the resolver may read its rules from the database.
        var received = n.Amount ?? new Money(attempt.Amount, Currency.Parse(attempt.Currency));
        var fee = reported == PaymentStatus.Paid ? await fees.ResolveAsync(attempt.MerchantId, attempt.Method, received, cancellationToken) : default;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockNotification = new NpgsqlCommand("select status from provider_notifications where id = $1 for update", conn, tx))
        {
            lockNotification.Parameters.Add(new() { Value = notificationId });
            if ((string?)await lockNotification.ExecuteScalarAsync(cancellationToken) != "received")
            {
                return ApplyOutcome.Ignored; // a concurrent duplicate applied it first
            }
        }

        var payment = await PaymentStore.LockAsync(conn, tx, attempt.PaymentId, cancellationToken);

        var now = timeProvider.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        var (outcome, status, reason) = reported != PaymentStatus.Paid && payment.CurrentAttemptId != attempt.Id
            ? (ApplyOutcome.Ignored, "ignored", "superseded attempt: only money on it counts") // its withdrawal must not close the payment
            : Decide(batch, payment, provider, reported, n, fee, notificationId, now);
        var mark = new NpgsqlBatchCommand("update provider_notifications set status = $2, flag_reason = $3, payment_id = $4, processed_at = $5 where id = $1");
        mark.Parameters.Add(new() { Value = notificationId });
        mark.Parameters.Add(new() { Value = status });
        mark.Parameters.Add(new() { Value = (object?)reason ?? DBNull.Value });
        mark.Parameters.Add(new() { Value = payment.Id });
        mark.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(mark);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (outcome == ApplyOutcome.Flagged)
        {
            LogFlagged(logger, payment.Id, reason ?? "");
        }

        return outcome;
    }

    // The money sits with the provider that took it: the attempt's, which for a superseded attempt is not
    // the payment's current provider.
    private (ApplyOutcome, string Status, string? Reason) Decide(
        NpgsqlBatch batch, PaymentRow payment, string provider, PaymentStatus reported, ProviderNotification n, Money fee, string notificationId, DateTimeOffset now)
    {
        var transition = PaymentStateMachine.OnProviderReport(payment.Status, reported, chargedOnce: payment.Method == "card");
        if (transition == TransitionKind.Ignore)
        {
            return (ApplyOutcome.Ignored, "ignored", $"payment is {payment.Status.ToWire()}");
        }

        if (reported != PaymentStatus.Paid)
        {
            var failure = reported == PaymentStatus.Failed ? JsonSerializer.Serialize(new { code = "provider_failed", message = n.RawStatus }) : null;
            var closed = payment with { Status = reported, UpdatedAt = now, FailureJson = failure ?? payment.FailureJson };
            batch.BatchCommands.Add(UpdateStatus(closed, now));
            AddEvent(batch, closed, "payment." + reported.ToWire(), now);
            return (ApplyOutcome.Applied, "applied", null);
        }

        var received = n.Amount ?? payment.Amount;

        // A card may be captured for less than it was authorised; any other method must bring what was asked.
        var amountRight = payment.Method == "card" ? received.Amount <= payment.Amount.Amount : transition == TransitionKind.Overpayment || received.Amount == payment.Amount.Amount;
        if (received.Currency != payment.Amount.Currency || !amountRight || received.Amount <= 0)
        {
            return (ApplyOutcome.Flagged, "flagged", $"amount_mismatch: asked {payment.Amount}, received {received}");
        }

        if (transition == TransitionKind.Overpayment)
        {
            // Money again on a paid payment (a VA paid twice): credited in full, never dropped.
            var over = payment with { AmountOverpaid = checked(payment.AmountOverpaid + received.Amount), UpdatedAt = now };
            var entry = LedgerEntry.PaymentPaid($"payment:{payment.Id}:overpayment:{notificationId}", payment.MerchantId, provider, payment.Mode, received, Money.Zero(received.Currency));
            ledger.Add(batch, entry, payment.Id, now);
            var cmd = new NpgsqlBatchCommand("update payments set amount_overpaid = $2, updated_at = $3 where id = $1");
            cmd.Parameters.Add(new() { Value = payment.Id });
            cmd.Parameters.Add(new() { Value = over.AmountOverpaid });
            cmd.Parameters.Add(new() { Value = now });
            batch.BatchCommands.Add(cmd);
            AddEvent(batch, over, "payment.overpaid", now);
            return (ApplyOutcome.Applied, "applied", "overpayment");
        }

        var paid = AddPaid(batch, payment, provider, received, fee, transition == TransitionKind.PaidLate, now);
        return (ApplyOutcome.Applied, "applied", paid.PaidLate ? "paid_late" : null);
    }

    /// <summary>
    /// Applies a capture the provider confirmed in its answer to <c>POST /v1/payments/{id}/capture</c>.
    /// The capture's own notification may have applied it first; then this does nothing.
    /// </summary>
    public async Task<bool> ApplyCaptureAsync(PaymentRow payment, Money captured, CancellationToken cancellationToken)
    {
        await ledger.PrepareAsync(LedgerAccounts(payment.MerchantId, payment.Provider, payment.Mode, payment.Amount.Currency), cancellationToken);
        var fee = await fees.ResolveAsync(payment.MerchantId, payment.Method, captured, cancellationToken);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var locked = await PaymentStore.LockAsync(conn, tx, payment.Id, cancellationToken);

        var transition = PaymentStateMachine.OnProviderReport(locked.Status, PaymentStatus.Paid, chargedOnce: true);
        if (transition == TransitionKind.Ignore || captured.Amount > locked.Amount.Amount || captured.Amount <= 0)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        AddPaid(batch, locked, locked.Provider, captured, fee, transition == TransitionKind.PaidLate, now);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The payment becomes paid: its ledger entry (written once), its row and its event.</summary>
    private PaymentRow AddPaid(NpgsqlBatch batch, PaymentRow payment, string provider, Money received, Money fee, bool paidLate, DateTimeOffset now)
    {
        var paid = payment with
        {
            Status = PaymentStatus.Paid,
            AmountCaptured = received.Amount,
            Fee = fee.Amount,
            PaidAt = now,
            PaidLate = paidLate,
            UpdatedAt = now,
            CaptureRequested = null,
        };
        ledger.Add(batch, LedgerEntry.PaymentPaid($"payment:{payment.Id}:paid", payment.MerchantId, provider, payment.Mode, received, fee), payment.Id, now);
        var update = new NpgsqlBatchCommand("""
            update payments set status = 'paid', amount_captured = $2, fee = $3, paid_at = $4, paid_late = $5, capture_requested = null, updated_at = $4
            where id = $1
            """);
        update.Parameters.Add(new() { Value = payment.Id });
        update.Parameters.Add(new() { Value = paid.AmountCaptured });
        update.Parameters.Add(new() { Value = fee.Amount });
        update.Parameters.Add(new() { Value = now });
        update.Parameters.Add(new() { Value = paid.PaidLate });
        batch.BatchCommands.Add(update);
        AddEvent(batch, paid, "payment.paid", now);
        return paid;
    }

    private static NpgsqlBatchCommand UpdateStatus(PaymentRow p, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand("update payments set status = $2, failure = $3::jsonb, updated_at = $4 where id = $1");
        cmd.Parameters.Add(new() { Value = p.Id });
        cmd.Parameters.Add(new() { Value = p.Status.ToWire() });
        cmd.Parameters.Add(new() { Value = (object?)p.FailureJson ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = now });
        return cmd;
    }

    private void AddEvent(NpgsqlBatch batch, PaymentRow p, string type, DateTimeOffset now) => PaymentEvents.Add(batch, p, type, urls.Public, now, subscribers);

    private async Task<Attempt?> FindAttemptAsync(string provider, Mode mode, ProviderNotification n, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            select a.id, a.payment_id, a.merchant_id, p.currency, a.provider_reference, p.method, p.amount
            from payment_attempts a join payments p on p.id = a.payment_id
            where a.provider = $1 and a.mode = $2 and (a.id = $3 or a.provider_reference = $4)
            limit 1
            """);
        cmd.Parameters.Add(new() { Value = provider });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
        cmd.Parameters.Add(new() { Value = (object?)n.OurReference ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = n.ProviderReference });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Attempt(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetInt64(6))
            : null;
    }

    /// <summary>A payout notification that names only the provider's reference (Iris): the disbursement it was given to.</summary>
    private async Task<string?> DisbursementByReferenceAsync(string provider, Mode mode, string reference, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("select id from disbursements where provider = $1 and mode = $2 and provider_reference = $3");
        cmd.Parameters.Add(new() { Value = provider });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
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

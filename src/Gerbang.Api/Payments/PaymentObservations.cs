using System.Text.Json;
using Gerbang.Api.Ledger;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// What a provider confirmed about one of its transactions: its state and its own cumulative amounts
/// (everything taken, everything refunded). <see cref="TransactionId"/> is the provider's identity for
/// the transaction, which is what the ledger's holdings are kept against.
/// </summary>
public sealed record Observation(
    string Provider,
    Mode Mode,
    string AttemptId,
    string TransactionId,
    PaymentStatus Status,
    Money? Paid,
    Money? Refunded,
    string RawStatus);

public enum ObservationOutcome
{
    Applied,
    Ignored,
    Flagged,
}

public sealed record ObservationResult(ObservationOutcome Outcome, string? Reason);

/// <summary>
/// Applies provider observations to payments, by difference. Under the payment's row lock it reads
/// what the ledger already holds for the provider transaction (<c>provider_transactions</c>), credits
/// only what the provider confirms beyond it, and books the refunds the provider confirms beyond
/// Gerbang's own, in the same transaction as the payment's row, the ledger entries and the events. Any
/// number, order and mix of reports about one transaction therefore credits its money once.
/// </summary>
public sealed class PaymentObservations(
    NpgsqlDataSource dataSource,
    LedgerWriter ledger,
    FeeResolver fees,
    Http.GerbangUrls urls,
    SubscriberDirectory subscribers,
    IProviderRefunds providerRefunds,
    TimeProvider timeProvider)
{
    private sealed record Holding(long Credited, long Refunded);

    /// <summary>
    /// Applies <paramref name="observation"/> to <paramref name="paymentId"/>. <paramref name="claim"/> runs
    /// first inside the transaction (the inbox locks its notification there; false means another copy
    /// applied it); <paramref name="record"/> adds the inbox's own outcome to the same batch.
    /// </summary>
    public async Task<ObservationResult> ApplyAsync(
        string paymentId,
        Observation observation,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>>? claim,
        Action<NpgsqlBatch, ObservationResult>? record,
        CancellationToken cancellationToken)
    {
        var head = await HeadAsync(paymentId, cancellationToken);
        var currency = head.Amount.Currency;
        await ledger.PrepareAsync(
            [AccountRef.Clearing(observation.Provider, observation.Mode, currency), AccountRef.Available(head.MerchantId, observation.Mode, currency), AccountRef.Fees(observation.Mode, currency)],
            cancellationToken);

        // Priced before the transaction opens (the resolver may read its rules from the database), for
        // the part of the money that pays the payment itself.
        var pricedOn = observation.Paid is { } paid && paid.Currency == currency
            ? (head.Method == "card" ? Math.Min(paid.Amount, head.Amount.Amount) : head.Amount.Amount)
            : head.Amount.Amount;
        var fee = pricedOn > 0 ? await fees.ResolveAsync(head.MerchantId, head.Method, new Money(pricedOn, currency), cancellationToken) : Money.Zero(currency);

        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        if (claim is not null && !await claim(conn, tx))
        {
            return new ObservationResult(ObservationOutcome.Ignored, "already applied");
        }

        var payment = await PaymentStore.LockAsync(conn, tx, paymentId, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var holding = await HoldingAsync(conn, tx, payment, observation, now, cancellationToken);
        await using var batch = new NpgsqlBatch(conn, tx);
        var result = await DecideAsync(conn, tx, batch, payment, holding, observation, fee, now, cancellationToken);
        record?.Invoke(batch, result);
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Applies a capture the provider confirmed in its answer to <c>POST /v1/payments/{id}/capture</c>, as an
    /// observation of the payment's transaction: its own notification may have applied it first, and then
    /// this credits nothing.
    /// </summary>
    public async Task<bool> ApplyCaptureAsync(PaymentRow payment, Money captured, CancellationToken cancellationToken)
    {
        if (payment.CurrentAttemptId is not { } attempt || payment.ProviderReference is not { } reference)
        {
            return false;
        }

        var result = await ApplyAsync(
            payment.Id, new Observation(payment.Provider, payment.Mode, attempt, reference, PaymentStatus.Paid, captured, null, "captured"), null, null, cancellationToken);
        return result.Outcome == ObservationOutcome.Applied;
    }

    private async Task<ObservationResult> DecideAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlBatch batch, PaymentRow payment, Holding holding, Observation o, Money fee, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var superseded = payment.CurrentAttemptId != o.AttemptId;
        if (o.Status != PaymentStatus.Paid)
        {
            if (superseded)
            {
                return new(ObservationOutcome.Ignored, "superseded attempt: only money on it counts"); // its withdrawal must not close the payment
            }

            if (PaymentStateMachine.OnProviderReport(payment.Status, o.Status) == TransitionKind.Ignore)
            {
                return new(ObservationOutcome.Ignored, $"payment is {payment.Status.ToWire()}");
            }

            // The instrument closing while the merchant's cancel is in flight is that cancel taking effect.
            if (payment.Status == PaymentStatus.Cancelling && o.Status is PaymentStatus.Expired)
            {
                o = o with { Status = PaymentStatus.Cancelled };
            }

            var failure = o.Status == PaymentStatus.Failed ? JsonSerializer.Serialize(new { code = "provider_failed", message = o.RawStatus }) : null;
            var closed = payment with { Status = o.Status, UpdatedAt = now, FailureJson = failure ?? payment.FailureJson };
            batch.BatchCommands.Add(UpdateStatus(closed, now));
            AddEvent(batch, closed, "payment." + o.Status.ToWire(), now);
            return new(ObservationOutcome.Applied, null);
        }

        var currency = payment.Amount.Currency;
        if (o.Paid is not { } confirmed || confirmed.Currency != currency || confirmed.Amount <= 0)
        {
            return new(ObservationOutcome.Flagged, $"amount_mismatch: asked {payment.Amount}, the provider confirmed {o.Paid?.ToString() ?? "no amount"}");
        }

        var delta = confirmed.Amount - holding.Credited;
        var reasons = new List<string>();
        var current = payment;
        if (delta > 0)
        {
            if (payment.Status != PaymentStatus.Paid)
            {
                // The first money on this payment. A card may be captured for less than it was authorised;
                // any other method must bring at least what was asked (less is flagged, not credited).
                var isCard = payment.Method == "card";
                if (isCard ? delta > payment.Amount.Amount : delta < payment.Amount.Amount)
                {
                    return new(ObservationOutcome.Flagged, $"amount_mismatch: asked {payment.Amount}, received {new Money(delta, currency)}");
                }

                var transition = PaymentStateMachine.OnProviderReport(payment.Status, PaymentStatus.Paid, chargedOnce: isCard);
                var paidPart = isCard ? delta : payment.Amount.Amount;
                current = AddPaid(batch, payment, o, new Money(paidPart, currency), Money.Min(fee, new Money(paidPart, currency)), transition == TransitionKind.PaidLate || superseded, now);
                reasons.Add(current.PaidLate ? "paid_late" : "paid");
                if (delta > paidPart)
                {
                    current = AddOverpayment(batch, current, o, new Money(delta - paidPart, currency), confirmed.Amount, now);
                    reasons.Add("overpayment");
                }
            }
            else
            {
                // More money than the ledger holds for this transaction, on a payment already paid (a VA
                // paid twice, a larger confirmed total): credited by the difference, with no fee.
                current = AddOverpayment(batch, payment, o, new Money(delta, currency), confirmed.Amount, now);
                reasons.Add("overpayment");
            }
        }

        // What the provider says it refunded, against what the ledger already accounts for: the mark
        // moves only as far as the refunds Gerbang knows of and books, so a part not yet explained (held
        // back while Gerbang's own refund of it was still open) is looked at again by the next report.
        var refunded = o.Refunded is { } r && r.Currency == currency ? r.Amount : holding.Refunded;
        var accounted = holding.Refunded;
        if (refunded > 0)
        {
            // Looked at whenever the provider reports refunds: Gerbang's own refunds that were open at
            // an earlier report may have failed since, leaving part of the provider's total unexplained.
            var booked = await providerRefunds.BookAsync(conn, tx, batch, current, o, refunded, now, cancellationToken);
            accounted = Math.Max(holding.Refunded, Math.Min(refunded, booked.Accounted));
            if (booked.Reason is not null)
            {
                current = booked.Payment;
                reasons.Add(booked.Reason);
            }
        }

        if (delta > 0 || accounted != holding.Refunded)
        {
            var hold = new NpgsqlBatchCommand("""
                update provider_transactions set credited = greatest(credited, $4), refunded = greatest(refunded, $5), updated_at = $6
                where provider = $1 and mode = $2 and transaction_id = $3
                """);
            foreach (var v in new object[] { o.Provider, o.Mode.ToWire(), o.TransactionId, Math.Max(confirmed.Amount, holding.Credited), accounted, now })
            {
                hold.Parameters.Add(new() { Value = v });
            }

            batch.BatchCommands.Add(hold);
        }

        return reasons.Count == 0
            ? new(ObservationOutcome.Ignored, "the ledger already holds what the provider confirms")
            : new(ObservationOutcome.Applied, string.Join(", ", reasons));
    }

    /// <summary>The payment becomes paid: its ledger entry (written once), its row and its event.</summary>
    private PaymentRow AddPaid(NpgsqlBatch batch, PaymentRow payment, Observation o, Money received, Money fee, bool paidLate, DateTimeOffset now)
    {
        var paid = payment with
        {
            Status = PaymentStatus.Paid,
            AmountCaptured = received,
            Fee = fee,
            PaidAt = now,
            PaidLate = paidLate,
            UpdatedAt = now,
            CaptureRequested = null,
        };
        ledger.Add(batch, LedgerEntry.PaymentPaid($"payment:{payment.Id}:paid", payment.MerchantId, o.Provider, payment.Mode, received, fee), payment.Id, now);

        // The money sits with the provider that took it (its clearing account, its provider_transactions
        // row), which on a superseded attempt is not the payment's current provider: refunds go there.
        var update = new NpgsqlBatchCommand("""
            update payments set status = 'paid', amount_captured = $2, fee = $3, paid_at = $4, paid_late = $5, capture_requested = null, updated_at = $4
            where id = $1
            """);
        foreach (var v in new object[] { payment.Id, paid.AmountCaptured.Amount, fee.Amount, now, paid.PaidLate })
        {
            update.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(update);
        AddEvent(batch, paid, "payment.paid", now);
        return paid;
    }

    private PaymentRow AddOverpayment(NpgsqlBatch batch, PaymentRow payment, Observation o, Money extra, long confirmedTotal, DateTimeOffset now)
    {
        var over = payment with { AmountOverpaid = payment.AmountOverpaid + extra, UpdatedAt = now };

        // Named by the provider's confirmed total for the transaction: one posting per level of money.
        var entry = LedgerEntry.PaymentPaid($"payment:{payment.Id}:overpayment:{o.Provider}:{o.TransactionId}:{confirmedTotal}", payment.MerchantId, o.Provider, payment.Mode, extra, Money.Zero(extra.Currency));
        ledger.Add(batch, entry, payment.Id, now);
        var cmd = new NpgsqlBatchCommand("update payments set amount_overpaid = $2, updated_at = $3 where id = $1");
        cmd.Parameters.Add(new() { Value = payment.Id });
        cmd.Parameters.Add(new() { Value = over.AmountOverpaid.Amount });
        cmd.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(cmd);
        AddEvent(batch, over, "payment.overpaid", now);
        return over;
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

    /// <summary>What the ledger holds for the observed transaction, its row created (once) and locked.</summary>
    private static async Task<Holding> HoldingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PaymentRow payment, Observation o, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            insert into provider_transactions (provider, mode, transaction_id, payment_id, attempt_id, currency, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            on conflict (provider, mode, transaction_id) do nothing
            """, conn, tx);
        foreach (var v in new object[] { o.Provider, o.Mode.ToWire(), o.TransactionId, payment.Id, o.AttemptId, payment.Amount.Currency.Code, now })
        {
            cmd.Parameters.Add(new() { Value = v });
        }

        await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using var read = new NpgsqlCommand("select credited, refunded, payment_id from provider_transactions where provider = $1 and mode = $2 and transaction_id = $3 for update", conn, tx);
        read.Parameters.Add(new() { Value = o.Provider });
        read.Parameters.Add(new() { Value = o.Mode.ToWire() });
        read.Parameters.Add(new() { Value = o.TransactionId });
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetString(2) != payment.Id)
        {
            throw new InvalidOperationException("A provider transaction is held by another payment.");
        }

        return new Holding(reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<(string MerchantId, Money Amount, string Method)> HeadAsync(string paymentId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("select merchant_id, amount, currency, method from payments where id = $1");
        cmd.Parameters.Add(new() { Value = paymentId });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("No such payment.");
        }

        return (reader.GetString(0), new Money(reader.GetInt64(1), Currency.Parse(reader.GetString(2))), reader.GetString(3));
    }
}

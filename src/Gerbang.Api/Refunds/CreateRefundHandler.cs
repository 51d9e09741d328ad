using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Ledger;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Refunds;

/// <summary>
/// Creates a refund in one transaction holding the payment's row lock (so concurrent refunds see each
/// other) and the merchant's debit lock (so the balance cannot be spent twice): the refund row, the
/// debit of the available balance, the event and the job that will ask the provider.
/// </summary>
public sealed class CreateRefundHandler(NpgsqlDataSource dataSource, PaymentStore store, LedgerWriter ledger, ProviderRegistry providers, TimeProvider timeProvider)
{
    public async Task<CreateRefundOutcome> HandleAsync(MerchantContext merchant, string paymentId, CreateRefundRequest request, Answers<CreateRefundOutcome> answers, CancellationToken cancellationToken)
    {
        var (requested, reason) = (request.Amount, request.Reason);
        var payment = await store.GetAsync(merchant, paymentId, cancellationToken);
        if (payment is null)
        {
            return new CreateRefundOutcome.PaymentMissing();
        }

        if (payment.Method == PaymentMethods.ToWire(PaymentMethod.Va))
        {
            return new CreateRefundOutcome.NotSupported("Virtual account payments cannot be refunded through any provider; pay the customer out instead.");
        }

        // The refund goes to the provider that took the money, which for money paid on a superseded
        // attempt is not the payment's current provider.
        var holder = await HolderAsync(payment, cancellationToken);
        if (PaymentMethods.TryParse(payment.Method, out var method) && providers.Find(merchant.Mode, holder) is { } provider && !provider.CanRefund(method))
        {
            return new CreateRefundOutcome.NotSupported($"{holder} cannot refund this payment; pay the customer out instead.");
        }

        var currency = payment.Amount.Currency;
        var available = AccountRef.Available(merchant.MerchantId, merchant.Mode, currency);
        await ledger.PrepareAsync([available, AccountRef.Clearing(holder, merchant.Mode, currency)], cancellationToken);
        var accountId = await ledger.AccountIdAsync(available, cancellationToken);

        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var locked = await PaymentStore.LockAsync(conn, tx, payment.Id, cancellationToken);

        if (locked.Status != PaymentStatus.Paid)
        {
            return new CreateRefundOutcome.NotRefundable(locked.Status.ToWire());
        }

        var refundable = (locked.AmountCaptured + locked.AmountOverpaid - locked.AmountRefunded).Amount;
        var amount = requested ?? refundable;
        if (amount <= 0 || amount > refundable)
        {
            return new CreateRefundOutcome.ExceedsPayment(refundable, currency.Code);
        }

        var balance = await BalanceGuard.LockAndReadAsync(conn, tx, accountId, creditNormal: true, cancellationToken);
        if (balance < amount)
        {
            return new CreateRefundOutcome.InsufficientBalance(balance, currency.Code);
        }

        var now = timeProvider.GetUtcNow();
        var refund = new RefundRow(Ids.New(Ids.Refund), payment.Id, merchant.MerchantId, merchant.ModeWire, new Money(amount, currency), reason, "pending", holder, null, null, now, now);
        await using var batch = new NpgsqlBatch(conn, tx);
        var insert = new NpgsqlBatchCommand("""
            insert into refunds (id, payment_id, merchant_id, mode, amount, currency, reason, status, provider, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $9)
            """);
        foreach (var v in new object?[] { refund.Id, refund.PaymentId, refund.MerchantId, refund.Mode, amount, refund.Amount.Currency.Code, reason, refund.Provider, now })
        {
            insert.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(insert);
        PaymentRows.AddRefunded(batch, payment.Id, amount, now);
        ledger.Add(batch, LedgerEntry.RefundCreated($"refund:{refund.Id}:created", merchant.MerchantId, holder, merchant.Mode, new Money(amount, currency)), refund.Id, now);
        EventWriter.Add(batch, merchant.MerchantId, merchant.Mode, "refund.created", refund.Id, null, refund.View(), now);
        JobQueue.Enqueue(batch, RefundJob.Kind, new { refund = refund.Id }, now);
        var outcome = new CreateRefundOutcome.Created(refund.View());
        answers.RecordIn(batch, outcome);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>The provider holding most of the payment's money (its provider transactions), or the payment's own.</summary>
    private async Task<string> HolderAsync(PaymentRow payment, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("select provider from provider_transactions where payment_id = $1 and credited > 0 order by credited desc, updated_at limit 1");
        cmd.Parameters.Add(new() { Value = payment.Id });
        return (string?)await cmd.ExecuteScalarAsync(cancellationToken) ?? payment.Provider;
    }
}

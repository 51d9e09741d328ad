using Gerbang.Api.Ledger;
using Gerbang.Api.Payments;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Npgsql;

namespace Gerbang.Api.Refunds;

/// <summary>Refunds as a provider reports them, applied inside the observation of the payment they belong to.</summary>
public sealed class ProviderRefunds(LedgerWriter ledger) : IProviderRefunds
{
    /// <summary>
    /// The provider says it has refunded <paramref name="providerRefunded"/> on this transaction. Gerbang's
    /// own refunds (succeeded, or sent and pending) account for part of it; the rest is a refund the provider made
    /// without Gerbang (from its dashboard), booked, debited and announced so the ledger keeps mirroring
    /// the provider. When the provider's total covers all of Gerbang's refunds, the pending ones succeeded.
    /// </summary>
    public async Task<(PaymentRow Payment, string? Reason, long Accounted)> BookAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlBatch batch, PaymentRow payment, Observation o, long providerRefunded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (providerRefunded <= 0)
        {
            return (payment, null, 0);
        }

        var ours = new List<RefundRow>();
        await using (var cmd = new NpgsqlCommand($"select {RefundRow.Columns} from refunds where payment_id = $1 and provider = $2 and (status = 'succeeded' or (status = 'pending' and sent_at is not null)) for update", conn, tx))
        {
            cmd.Parameters.Add(new() { Value = payment.Id });
            cmd.Parameters.Add(new() { Value = o.Provider });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ours.Add(RefundRow.Read(reader));
            }
        }

        var known = ours.Sum(x => x.Amount.Amount);
        var reasons = new List<string>();
        if (providerRefunded >= known)
        {
            foreach (var pending in ours.Where(x => x.Status == "pending"))
            {
                var done = pending with { Status = "succeeded", UpdatedAt = now };
                var confirm = new NpgsqlBatchCommand("update refunds set status = 'succeeded', updated_at = $2 where id = $1 and status = 'pending'");
                confirm.Parameters.Add(new() { Value = pending.Id });
                confirm.Parameters.Add(new() { Value = now });
                batch.BatchCommands.Add(confirm);
                EventWriter.Add(batch, pending.MerchantId, o.Mode, "refund.succeeded", pending.Id, null, done.View(), now);
                reasons.Add("refund confirmed");
            }
        }

        var refundable = (payment.AmountCaptured + payment.AmountOverpaid - payment.AmountRefunded).Amount;
        var extra = Math.Min(providerRefunded - known, refundable);
        if (extra > 0)
        {
            var amount = new Money(extra, payment.Amount.Currency);
            var refund = new RefundRow(
                Ids.New(Ids.Refund), payment.Id, payment.MerchantId, payment.Mode.ToWire(), amount, "refunded at the provider", "succeeded",
                o.Provider, $"{o.TransactionId}:{providerRefunded}:{known}", null, now, now, "provider");
            var insert = new NpgsqlBatchCommand("""
                insert into refunds (id, payment_id, merchant_id, mode, amount, currency, reason, status, provider, provider_reference, initiated_by, created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7, 'succeeded', $8, $9, 'provider', $10, $10)
                """);
            foreach (var v in new object[] { refund.Id, refund.PaymentId, refund.MerchantId, refund.Mode, extra, refund.Amount.Currency.Code, refund.Reason!, refund.Provider, refund.ProviderReference!, now })
            {
                insert.Parameters.Add(new() { Value = v });
            }

            batch.BatchCommands.Add(insert);
            PaymentRows.AddRefunded(batch, payment.Id, extra, now);

            // The reference names the provider's total and what Gerbang already accounted for of it, so
            // the same refund can never be booked twice, and a part held back earlier can be booked later.
            ledger.Add(batch, LedgerEntry.RefundCreated($"refund:provider:{o.Provider}:{o.Mode.ToWire()}:{o.TransactionId}:{providerRefunded}:{known}", payment.MerchantId, o.Provider, o.Mode, amount), refund.Id, now);
            var pendingView = (refund with { Status = "pending" }).View();
            EventWriter.Add(batch, payment.MerchantId, o.Mode, "refund.created", refund.Id, null, pendingView, now);
            EventWriter.Add(batch, payment.MerchantId, o.Mode, "refund.succeeded", refund.Id, null, refund.View(), now);
            payment = payment with { AmountRefunded = payment.AmountRefunded + amount, UpdatedAt = now };
            reasons.Add("refunded at the provider");
        }

        return (payment, reasons.Count == 0 ? null : string.Join(", ", reasons), known + Math.Max(extra, 0));
    }
}

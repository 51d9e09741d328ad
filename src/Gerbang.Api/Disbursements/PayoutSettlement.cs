using System.Text.Json;
using Gerbang.Api.Ledger;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Npgsql;

namespace Gerbang.Api.Disbursements;

/// <summary>
/// Settles a disbursement once its outcome is known, whoever learns it first (the payout call, a
/// status query, the provider's notification): success posts the reservation, a definite failure
/// releases it. Under the disbursement's row lock, and only from an open state, so the later
/// messenger finds it settled and changes nothing; the one exception is a paid payout that the bank
/// returns, which is reversed once (the merchant gets back amount and fee).
/// </summary>
public sealed class PayoutSettlement(NpgsqlDataSource dataSource, LedgerWriter ledger, TimeProvider timeProvider)
{
    public async Task<bool> SettleAsync(string disbursementId, bool succeeded, string? providerReference, string? failureCode, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        DisbursementRow row;
        await using (var select = new NpgsqlCommand($"select {DisbursementRow.Columns} from disbursements where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = disbursementId });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            row = DisbursementRow.Read(reader);
        }

        // A payout reported paid can still come back (Iris "completed" then "failed", Xendit REVERSED):
        // that is a reversal, posted once. Anything else on a settled payout changes nothing.
        var reversal = row.Status == "succeeded" && !succeeded;
        if (row.Status == "failed" || (row.Status == "succeeded" && !reversal))
        {
            return false;
        }

        var mode = row.Mode == "live" ? Mode.Live : Mode.Test;
        var currency = row.Amount.Currency;
        var amount = row.Amount;
        var fee = row.Fee;
        await ledger.PrepareAsync(
            [AccountRef.Available(row.MerchantId, mode, currency), new AccountRef(AccountKind.MerchantReserved, mode, currency, row.MerchantId), AccountRef.Clearing(row.Provider, mode, currency), AccountRef.Fees(mode, currency)],
            cancellationToken);
        var now = timeProvider.GetUtcNow();
        var failure = succeeded ? null
            : reversal ? JsonSerializer.Serialize(new { code = "payout_reversed", message = "The bank returned the payout after the provider reported it paid." })
            : JsonSerializer.Serialize(new { code = failureCode ?? "payout_failed", message = "The provider did not pay out." });
        var after = row with { Status = succeeded ? "succeeded" : "failed", ProviderReference = providerReference ?? row.ProviderReference, FailureJson = failure, UpdatedAt = now };
        await using var batch = new NpgsqlBatch(conn, tx);
        var update = new NpgsqlBatchCommand("update disbursements set status = $2, provider_reference = $3, failure = $4::jsonb, updated_at = $5 where id = $1");
        foreach (var v in new object?[] { row.Id, after.Status, after.ProviderReference, failure, now })
        {
            update.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(update);
        ledger.Add(batch, succeeded
            ? LedgerEntry.PayoutPosted($"disbursement:{row.Id}:posted", row.MerchantId, row.Provider, mode, amount, fee)
            : reversal ? LedgerEntry.PayoutReversed($"disbursement:{row.Id}:reversed", row.MerchantId, row.Provider, mode, amount, fee)
            : LedgerEntry.PayoutReleased($"disbursement:{row.Id}:released", row.MerchantId, mode, amount, fee), row.Id, now);
        EventWriter.Add(batch, row.MerchantId, mode, succeeded ? "disbursement.succeeded" : "disbursement.failed", row.Id, null, after.View(), now);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The provider has the payout but has not finished it: remember its reference and wait.</summary>
    public async Task MarkProcessingAsync(string disbursementId, string providerReference, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            update disbursements set status = 'processing', provider_reference = $2, updated_at = $3 where id = $1 and status in ('pending', 'processing')
            """);
        cmd.Parameters.Add(new() { Value = disbursementId });
        cmd.Parameters.Add(new() { Value = providerReference });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The payout's outcome is unknown: it is shown as <c>processing</c>, its reservation held.</summary>
    public async Task MarkInFlightAsync(string disbursementId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update disbursements set status = 'processing', updated_at = $2 where id = $1 and status in ('pending', 'processing')");
        cmd.Parameters.Add(new() { Value = disbursementId });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

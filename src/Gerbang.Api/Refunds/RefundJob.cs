using System.Text.Json;
using Gerbang.Api.Jobs;
using Gerbang.Api.Ledger;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Refunds;

/// <summary>
/// Asks the provider that took the money (on the attempt that took it) for the refund, with the refund id as the provider's idempotency key so
/// a retry cannot refund twice. A decline fails the refund and gives the money back; an outage throws
/// so the job is tried again later.
/// </summary>
public sealed class RefundJob(NpgsqlDataSource dataSource, ProviderRegistry providers, LedgerWriter ledger, TimeProvider timeProvider) : IJobHandler
{
    public const string Kind = "refund";

    string IJobHandler.Kind => Kind;

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var refundId = payload.GetProperty("refund").GetString()!;
        RefundRow? refund;
        string? attemptId, providerReference;
        await using (var cmd = dataSource.CreateCommand($"""
            select {string.Join(", ", RefundRow.Columns.Split(", ").Select(c => "r." + c))},
                coalesce(t.attempt_id, p.current_attempt_id), coalesce(t.transaction_id, p.provider_reference)
            from refunds r join payments p on p.id = r.payment_id
            left join lateral (
                select attempt_id, transaction_id from provider_transactions
                where payment_id = r.payment_id and provider = r.provider and mode = r.mode order by credited desc limit 1) t on true
            where r.id = $1
            """))
        {
            cmd.Parameters.Add(new() { Value = refundId });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }

            refund = RefundRow.Read(reader);
            attemptId = reader.IsDBNull(14) ? null : reader.GetString(14);
            providerReference = reader.IsDBNull(15) ? null : reader.GetString(15);
        }

        if (refund.Status != "pending")
        {
            return;
        }

        var mode = refund.Mode == "live" ? Mode.Live : Mode.Test;
        var provider = providers.Find(mode, refund.Provider) ?? throw new InvalidOperationException($"Provider {refund.Provider} is not configured.");
        var amount = refund.Amount;
        var sentBefore = !await MarkSentAsync(refund.Id, cancellationToken);
        var result = await provider.RefundAsync(new ProviderRefundRequest(refund.Id, attemptId ?? "", providerReference ?? "", amount, refund.Reason), cancellationToken);
        switch (result.Failure)
        {
            case { Kind: ProviderFailureKind.ConnectionFailed } unavailable when !sentBefore:
                // No connection was made, so the provider cannot have acted: the next try is a first
                // request again. A 5xx is not proof of that (some providers answer 500 after acting), so
                // after one the refund stays sent and its repeat is the same idempotent request.
                await ClearSentAsync(refund.Id, cancellationToken);
                throw new ProviderUnavailableException(unavailable.Code);
            case { IsRetryable: true } retry:
                throw new ProviderUnavailableException(retry.Code);
            case { Kind: ProviderFailureKind.Declined } refused when sentBefore:
                // A repeat refused after an unknown outcome proves nothing (the first may have refunded):
                // the refund stays pending until the provider's books (its refund reports) say.
                throw new ProviderUnavailableException(refused.Code);
        }

        if (result.IsSuccess && result.Value!.Status == ProviderOperationStatus.Pending)
        {
            // The provider took the refund and has not finished it: it stays pending (the money stays
            // debited, as the provider holds it) until the provider's answer to the same request, or
            // its refund reports, say how it ended.
            await MarkProviderReferenceAsync(refund.Id, result.Value.ProviderReference, cancellationToken);
            throw new ProviderUnavailableException("refund_in_progress");
        }

        var succeeded = result.IsSuccess && result.Value!.Status == ProviderOperationStatus.Succeeded;
        await ledger.PrepareAsync([AccountRef.Available(refund.MerchantId, mode, amount.Currency), AccountRef.Clearing(refund.Provider, mode, amount.Currency)], cancellationToken);
        var now = timeProvider.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockRefund = new NpgsqlCommand("select status from refunds where id = $1 for update", conn, tx))
        {
            lockRefund.Parameters.Add(new() { Value = refund.Id });
            if ((string?)await lockRefund.ExecuteScalarAsync(cancellationToken) != "pending")
            {
                return;
            }
        }

        var failure = succeeded ? null : JsonSerializer.Serialize(new { code = result.Failure?.Code ?? "provider_refund_failed", message = result.Failure?.Message ?? "The provider could not refund." });
        var after = refund with { Status = succeeded ? "succeeded" : "failed", ProviderReference = result.Value?.ProviderReference, FailureJson = failure, UpdatedAt = now };
        await using var batch = new NpgsqlBatch(conn, tx);
        var update = new NpgsqlBatchCommand("update refunds set status = $2, provider_reference = $3, failure = $4::jsonb, updated_at = $5 where id = $1");
        foreach (var v in new object?[] { refund.Id, after.Status, after.ProviderReference, failure, now })
        {
            update.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(update);
        if (!succeeded)
        {
            ledger.Add(batch, LedgerEntry.RefundReversed($"refund:{refund.Id}:reversed", refund.MerchantId, refund.Provider, mode, amount), refund.Id, now);
            PaymentRows.AddRefunded(batch, refund.PaymentId, -refund.Amount.Amount, now);
        }

        EventWriter.Add(batch, refund.MerchantId, mode, succeeded ? "refund.succeeded" : "refund.failed", refund.Id, null, after.View(), now);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Marks the refund as sent (committed before the request leaves); false when it was sent before.</summary>
    private async Task<bool> MarkSentAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update refunds set sent_at = $2 where id = $1 and sent_at is null");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task MarkProviderReferenceAsync(string id, string? providerReference, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update refunds set provider_reference = coalesce($2, provider_reference), updated_at = $3 where id = $1 and status = 'pending'");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = (object?)providerReference ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ClearSentAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update refunds set sent_at = null where id = $1 and status = 'pending'");
        cmd.Parameters.Add(new() { Value = id });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

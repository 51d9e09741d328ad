using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// The writes to <c>payments</c> that other features ask for: the refunded amount a refund moves and
/// the reconciliation mark. With <see cref="PaymentObservations"/> (money and provider states),
/// <see cref="PaymentTransitions"/> (status moves), the capture claim and the create handler, these are
/// the only writers of the table; a test keeps every other folder from writing it.
/// </summary>
public static class PaymentRows
{
    /// <summary>Adds <paramref name="delta"/> (negative when a refund failed) to the payment's refunded amount, in the caller's batch.</summary>
    public static void AddRefunded(NpgsqlBatch batch, string paymentId, long delta, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand("update payments set amount_refunded = amount_refunded + $2, updated_at = $3 where id = $1");
        cmd.Parameters.Add(new() { Value = paymentId });
        cmd.Parameters.Add(new() { Value = delta });
        cmd.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(cmd);
    }

    /// <summary>Remembers when these payments were last asked about, so the next reconciliation pass starts with the others.</summary>
    public static async Task MarkReconciledAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> paymentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (paymentIds.Count == 0)
        {
            return;
        }

        await using var cmd = dataSource.CreateCommand("update payments set reconciled_at = $2 where id = any($1)");
        cmd.Parameters.Add(new() { Value = paymentIds.ToArray() });
        cmd.Parameters.Add(new() { Value = now });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

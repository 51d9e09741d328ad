using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Webhooks;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Moves a payment from one status to another only if it is still in the first, with the event that
/// announces it in the same transaction. Never a rewrite from a stale copy.
/// </summary>
public sealed class PaymentTransitions(NpgsqlDataSource dataSource, GerbangUrls urls, SubscriberDirectory subscribers, TimeProvider timeProvider)
{
    public async Task<bool> TryMoveAsync(string paymentId, PaymentStatus from, PaymentStatus to, string? eventType, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        PaymentRow? moved = null;
        await using (var update = new NpgsqlCommand($"update payments set status = $3, updated_at = $4 where id = $1 and status = $2 returning {PaymentRow.Columns}", conn, tx))
        {
            update.Parameters.Add(new() { Value = paymentId });
            update.Parameters.Add(new() { Value = from.ToWire() });
            update.Parameters.Add(new() { Value = to.ToWire() });
            update.Parameters.Add(new() { Value = now });
            await using var reader = await update.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                moved = PaymentRow.Read(reader);
            }
        }

        if (moved is null)
        {
            return false;
        }

        if (eventType is not null)
        {
            await using var batch = new NpgsqlBatch(conn, tx);
            PaymentEvents.Add(batch, moved, eventType, urls.Public, now, subscribers);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return true;
    }
}

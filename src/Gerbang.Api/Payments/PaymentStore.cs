using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>Reads payments. Every query is scoped to the calling merchant and mode.</summary>
public sealed class PaymentStore(NpgsqlDataSource dataSource)
{
    public static readonly ListFilter[] ListFilters =
    [
        new("status", "The payment's status.", Enum.GetValues<PaymentStatus>().Select(s => s.ToWire()).ToArray()),
        new("method", "How it is paid.", Enum.GetValues<PaymentMethod>().Select(m => m.ToWire()).ToArray()),
        new("order_id", "The merchant's order id."),
    ];

    // Found by its primary key, then scoped: the fence (offset 0) keeps a cached generic plan from
    // walking the merchant's whole (merchant_id, mode, seq) index instead, which made every lookup for a
    // busy merchant cost as much as its payment count. Refunds, disbursements and events do the same.
    public async Task<PaymentRow?> GetAsync(MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"select {PaymentRow.Columns} from (select * from payments where id = $3 offset 0) p where merchant_id = $1 and mode = $2");
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PaymentRow.Read(reader) : null;
    }

    /// <summary>Every try at a provider for one payment, oldest first (the routing story of the payment).</summary>
    /// <summary>Reads a payment inside <paramref name="tx"/> holding its row lock until the transaction ends.</summary>
    public static async Task<PaymentRow> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string paymentId, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"select {PaymentRow.Columns} from payments where id = $1 for update", conn, tx);
        cmd.Parameters.Add(new() { Value = paymentId });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return PaymentRow.Read(reader);
    }

    public async Task<List<AttemptView>> AttemptsAsync(MerchantContext merchant, string paymentId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            select id, payment_id, provider, provider_reference, status, failure_code, failure_message, latency_ms, created_at
            from payment_attempts where merchant_id = $1 and mode = $2 and payment_id = $3 order by created_at, id
            """);
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = paymentId });
        var rows = new List<AttemptView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AttemptView(
                reader.GetString(0), "payment_attempt", merchant.Livemode, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt32(7),
                ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(8))));
        }

        return rows;
    }

    public async Task<(List<PaymentRow> Page, bool HasMore)> ListAsync(MerchantContext merchant, ListQuery query, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand();
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var sql = new StringBuilder($"select {PaymentRow.Columns} from payments where merchant_id = $1 and mode = $2");
        foreach (var (name, value) in query.Filters)
        {
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" and {name} = ${ListQuery.Add(cmd, value)}");
        }

        query.Apply(sql, cmd, "payments");
        cmd.CommandText = sql.ToString();
        var rows = new List<PaymentRow>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(PaymentRow.Read(reader));
        }

        return query.Page(rows);
    }

    public Task<Refusal?> MissingCursorAsync(MerchantContext merchant, ListQuery query, int pageCount, CancellationToken cancellationToken) =>
        query.MissingCursorAsync(dataSource, "payments", merchant.MerchantId, merchant.ModeWire, pageCount, cancellationToken);
}

public sealed record AttemptView(string Id, string Object, bool Livemode, string Payment, string Provider, string? ProviderReference, string Status, string? FailureCode, string? FailureMessage, int? LatencyMs, string CreatedAt);

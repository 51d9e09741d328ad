using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>Reads payments. Every query is scoped to the calling merchant and mode.</summary>
public sealed class PaymentStore(NpgsqlDataSource dataSource)
{
    public static readonly string[] Filters = ["status", "method", "order_id"];

    public async Task<PaymentRow?> GetAsync(MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"select {PaymentRow.Columns} from payments where merchant_id = $1 and mode = $2 and id = $3");
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PaymentRow.Read(reader) : null;
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
}

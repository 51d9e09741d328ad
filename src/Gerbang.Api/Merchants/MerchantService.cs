using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Merchants;

public sealed record MerchantView(string Id, string Object, string Name, string Status, string? SupportEmail, string? StatementName, string? ApprovedAt, string CreatedAt);

/// <summary>Creates merchants and their keys.</summary>
public sealed class MerchantService(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    public const string Columns = "id, name, status, support_email, statement_name, approved_at, created_at";

    public static MerchantView Read(NpgsqlDataReader r) => new(
        r.GetString(0), "merchant", r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : ApiJson.Time(r.GetFieldValue<DateTimeOffset>(5)), ApiJson.Time(r.GetFieldValue<DateTimeOffset>(6)));

    public async Task<MerchantView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"select {Columns} from merchants where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Creates an active (not yet approved for live) merchant with its first test key, in one transaction.</summary>
    public async Task<(MerchantView Merchant, string TestKey)> CreateAsync(string name, string? supportEmail, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var id = Ids.New(Ids.Merchant);
        var key = ApiKeys.New(Mode.Test);
        await using var batch = dataSource.CreateBatch();
        var insert = new NpgsqlBatchCommand("insert into merchants (id, name, status, support_email, created_at, updated_at) values ($1, $2, 'active', $3, $4, $4)");
        insert.Parameters.Add(new() { Value = id });
        insert.Parameters.Add(new() { Value = name });
        insert.Parameters.Add(new() { Value = (object?)supportEmail ?? DBNull.Value });
        insert.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(InsertKey(id, Mode.Test, key, now));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (new MerchantView(id, "merchant", name, "active", supportEmail, null, null, ApiJson.Time(now)), key);
    }

    public static NpgsqlBatchCommand InsertKey(string merchantId, Mode mode, string key, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand("insert into api_keys (id, merchant_id, mode, key_hash, key_hint, created_at) values ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.Add(new() { Value = Ids.New(Ids.ApiKey) });
        cmd.Parameters.Add(new() { Value = merchantId });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
        cmd.Parameters.Add(new() { Value = ApiKeys.Hash(key) });
        cmd.Parameters.Add(new() { Value = ApiKeys.Hint(key) });
        cmd.Parameters.Add(new() { Value = now });
        return cmd;
    }
}

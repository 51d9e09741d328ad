using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary><c>Gerbang:FourEyes</c>: who may approve a change that directs a merchant's money.</summary>
public sealed class FourEyesOptions
{
    public const string Section = "Gerbang:FourEyes";

    /// <summary>
    /// Lets the admin who asked for a change approve it too, for a development install with a single
    /// admin. Refused at start when any live provider is configured: live money always needs two people.
    /// </summary>
    public bool AllowSelfApproval { get; set; }

    public static void Validate(IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(Section + ":AllowSelfApproval") && configuration.GetSection("Providers:Live").GetChildren().Any())
        {
            throw new InvalidOperationException($"{Section}:AllowSelfApproval is for a development install; it cannot be set while live providers (Providers:Live) are configured.");
        }
    }
}

public sealed record ChangeRequestActor(string Id, string Email);

public sealed record ChangeRequestView(
    string Id, string Object, string Kind, string Merchant, string Target, JsonElement Change, string Status,
    ChangeRequestActor RequestedBy, string RequestReason, ChangeRequestActor? DecidedBy, string? DecisionReason, string? DecidedAt, string CreatedAt);

/// <summary>
/// Changes that direct a merchant's money, made by two people: one admin asks (the change waits,
/// <c>pending</c>), another whose role may make it approves (the change is applied in the same
/// transaction) or rejects it; the one who asked may withdraw it. Both names go to the audit log.
/// </summary>
public sealed class FourEyes(NpgsqlDataSource db, AuditLog audit, IOptions<FourEyesOptions> options, TimeProvider clock)
{
    public const string VerifyBankAccount = "bank_account.verify";
    public const string CashoutLimit = "merchant.cashout_limit";

    private const string Columns = "id, kind, merchant_id, target_id, change::text, status, requested_by, requested_by_email, request_reason, decided_by, decided_by_email, decision_reason, decided_at, created_at";

    /// <summary>The permission an approver needs for each kind of change.</summary>
    public static string PermissionFor(string kind) => kind == VerifyBankAccount ? AdminRoles.ManageMerchants : AdminRoles.MerchantFinances;

    public static ChangeRequestView Read(NpgsqlDataReader r)
    {
        using var change = JsonDocument.Parse(r.GetString(4));
        return new ChangeRequestView(
            r.GetString(0), "change_request", r.GetString(1), r.GetString(2), r.GetString(3), change.RootElement.Clone(), r.GetString(5),
            new ChangeRequestActor(r.GetString(6), r.GetString(7)), r.GetString(8),
            r.IsDBNull(9) ? null : new ChangeRequestActor(r.GetString(9), r.IsDBNull(10) ? "" : r.GetString(10)),
            r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : ApiJson.Time(r.GetFieldValue<DateTimeOffset>(12)), ApiJson.Time(r.GetFieldValue<DateTimeOffset>(13)));
    }

    /// <summary>Transitional, for endpoints that still answer with an <see cref="ApiResponse"/>: <see cref="AskAsync"/>'s answer.</summary>
    public async Task<ApiResponse> RequestAsync(AdminActor actor, string kind, string merchantId, string targetId, object change, string reason, CancellationToken cancellationToken) =>
        (await AskAsync(actor, kind, merchantId, targetId, change, reason, cancellationToken)).Response;

    /// <summary>Asks for a change: 202 with the request, or 409 when the same change already waits.</summary>
    public async Task<Result<ChangeRequestView>> AskAsync(AdminActor actor, string kind, string merchantId, string targetId, object change, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var id = Ids.New("chg");
        var changeElement = JsonSerializer.SerializeToElement(change, ApiJson.Options);
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("""
            insert into change_requests (id, kind, merchant_id, target_id, change, requested_by, requested_by_email, request_reason, created_at, updated_at)
            values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $9)
            """);
        foreach (var v in new object[] { id, kind, merchantId, targetId, changeElement.GetRawText(), actor.Id, actor.Email, reason, now })
        {
            insert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(insert);
        var view = new ChangeRequestView(id, "change_request", kind, merchantId, targetId, changeElement, "pending",
            new ChangeRequestActor(actor.Id, actor.Email), reason, null, null, null, ApiJson.Time(now));
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("change_request.created", "change_request", id, null, view, reason)));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new Refusal(409, "change_request_pending", "The same change already waits for approval; approve or reject that request first.");
        }

        return Result<ChangeRequestView>.Accepted(view);
    }

    public async Task<ChangeRequestView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from change_requests where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<(List<ChangeRequestView> Rows, bool HasMore)> ListAsync(string? status, string? merchant, int limit, string? startingAfter, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"""
            select {Columns} from change_requests
            where ($1 = '' or status = $1) and ($2 = '' or merchant_id = $2)
              and ($3 = '' or seq < coalesce((select seq from change_requests where id = $3), -1))
            order by seq desc limit $4
            """);
        cmd.Parameters.Add(new() { Value = status ?? "" });
        cmd.Parameters.Add(new() { Value = merchant ?? "" });
        cmd.Parameters.Add(new() { Value = startingAfter ?? "" });
        cmd.Parameters.Add(new() { Value = limit + 1 });
        var rows = new List<ChangeRequestView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return (rows.Take(limit).ToList(), rows.Count > limit);
    }

    /// <summary>
    /// Approves (and applies) or rejects a waiting change. The approver must be another admin whose
    /// role may make the change; the one who asked may only withdraw it (then it is <c>cancelled</c>).
    /// </summary>
    public async Task<Result<ChangeRequestView>> DecideAsync(string id, bool approve, AdminActor actor, string reason, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        ChangeRequestView before;
        await using (var select = new NpgsqlCommand($"select {Columns} from change_requests where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Refusal.NotFound("change_request");
            }

            before = Read(reader);
        }

        if (before.Status != "pending")
        {
            return new Refusal(409, "change_request_decided", $"This change request is already {before.Status}.");
        }

        var own = before.RequestedBy.Id == actor.Id;
        var mayDecide = AdminRoles.Permissions[PermissionFor(before.Kind)].Contains(actor.Role);
        if (!mayDecide && !(own && !approve))
        {
            return new Refusal(403, "forbidden", $"Your role ({actor.Role}) may not decide a {before.Kind} change.");
        }

        if (approve && own && !options.Value.AllowSelfApproval)
        {
            return new Refusal(403, "four_eyes_required", "Another admin must approve a change you asked for.");
        }

        var now = clock.GetUtcNow();
        var status = approve ? "approved" : own ? "cancelled" : "rejected";
        await using var batch = new NpgsqlBatch(conn, tx);
        if (approve)
        {
            var applied = await ApplyAsync(conn, tx, before, now, cancellationToken);
            if (applied is null)
            {
                return new Refusal(409, "change_request_stale", "What this request would change is gone or already changed; reject it and ask again.");
            }

            var (action, targetType, was, isNow) = applied.Value;
            batch.BatchCommands.Add(audit.Command(actor, new AuditEntry(action, targetType, before.Target, was, new { change = isNow, change_request = id, requested_by = before.RequestedBy.Email, approved_by = actor.Email }, reason)));
        }

        var update = new NpgsqlBatchCommand("update change_requests set status = $2, decided_by = $3, decided_by_email = $4, decision_reason = $5, decided_at = $6, updated_at = $6 where id = $1");
        foreach (var v in new object[] { id, status, actor.Id, actor.Email, reason, now })
        {
            update.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(update);
        var after = before with { Status = status, DecidedBy = new ChangeRequestActor(actor.Id, actor.Email), DecisionReason = reason, DecidedAt = ApiJson.Time(now) };
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("change_request." + status, "change_request", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>Applies an approved change inside the decision's transaction; null when its target no longer allows it.</summary>
    private static async Task<(string Action, string TargetType, object Before, object After)?> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ChangeRequestView request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (request.Kind == VerifyBankAccount)
        {
            await using var verify = new NpgsqlCommand("""
                update bank_accounts set status = 'verified', verified_at = $3, updated_at = $3
                where id = $1 and merchant_id = $2 and deleted_at is null and status = 'unverified'
                """, conn, tx);
            verify.Parameters.Add(new() { Value = request.Target });
            verify.Parameters.Add(new() { Value = request.Merchant });
            verify.Parameters.Add(new() { Value = now });
            return await verify.ExecuteNonQueryAsync(cancellationToken) == 1
                ? ("bank_account.verified", "bank_account", new { status = "unverified" }, new { status = "verified", merchant = request.Merchant })
                : null;
        }

        var limit = request.Change.GetProperty("daily_cashout_limit");
        long? value = limit.ValueKind == JsonValueKind.Null ? null : limit.GetInt64();
        await using var read = new NpgsqlCommand("select daily_cashout_limit from merchants where id = $1 for update", conn, tx);
        read.Parameters.Add(new() { Value = request.Merchant });
        var was = await read.ExecuteScalarAsync(cancellationToken) as long?;
        await using var set = new NpgsqlCommand("update merchants set daily_cashout_limit = $2, updated_at = $3 where id = $1", conn, tx);
        set.Parameters.Add(new() { Value = request.Merchant });
        set.Parameters.Add(new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        set.Parameters.Add(new() { Value = now });
        await set.ExecuteNonQueryAsync(cancellationToken);
        return ("merchant.limits_changed", "merchant", new { daily_cashout_limit = was }, new { daily_cashout_limit = value });
    }
}

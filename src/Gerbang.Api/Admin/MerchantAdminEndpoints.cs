using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Merchants as operators see them: create, list, approve for live mode, suspend, reactivate.</summary>
public static class MerchantAdminEndpoints
{
    public sealed record CreatedMerchantView(string Id, string Object, string Name, string Status, string? SupportEmail, string? StatementName, string? ApprovedAt, string CreatedAt, string SecretKey);

    public sealed record ApprovedMerchantView(string Id, string Object, string Name, string Status, string? SupportEmail, string? StatementName, string? ApprovedAt, string CreatedAt, string LiveSecretKey);

    public static void MapMerchantAdmin(this RouteGroupBuilder admin)
    {
        var merchants = admin.MapGroup("/merchants").WithTags("admin merchants");
        merchants.MapPost("", CreateAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("createMerchant", "Add a merchant", "A merchant in test mode with its test key (shown once); live mode opens when it is approved.")
            .Body(new CreateMerchantBody { Name = "Toko Budi", SupportEmail = "help@tokobudi.example", Reason = "Signed the contract" }).Returns<CreatedMerchantView>(201)
            .Fails(400, "reason_required", "parameter_invalid_length");
        merchants.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listMerchants", "List merchants").Returns<ListQuery.ListView<MerchantView>>()
            .Query("status", "Only merchants with this status.", "active", "suspended").Query("limit", "1 to 100 (10 when left out).").Query("starting_after", "The page after this merchant's id.");
        merchants.MapGet("/{id}", GetAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("getMerchantAsAdmin", "Get a merchant").Returns<MerchantView>().NotFound();
        merchants.MapPost("/{id}/approve", ApproveAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("approveMerchant", "Approve a merchant for live mode", "Opens live mode and answers with the live key, shown once.")
            .Body(new ReasonBody { Reason = "Checked the documents" }).Returns<ApprovedMerchantView>().NotFound().Fails(400, "reason_required").Fails(409, "merchant_already_approved");
        merchants.MapPost("/{id}/suspend", SuspendAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("suspendMerchant", "Suspend a merchant", "Its keys stop working at once; nothing of its money moves until it is reactivated.")
            .Body(new ReasonBody { Reason = "Checked the documents" }).Returns<MerchantView>().NotFound().Fails(400, "reason_required");
        merchants.MapPost("/{id}/bank_accounts/{bankAccount}/verify", VerifyBankAccountAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("verifyBankAccount", "Verify a merchant's bank account", "In test mode at once; in live mode a change request that another admin decides (202).")
            .Body(new ReasonBody { Reason = "Checked the documents" }).Returns<Disbursements.BankAccountView>().Returns<ChangeRequestView>(202).NotFound().Fails(400, "reason_required").Fails(409, "change_request_pending");
        merchants.MapPatch("/{id}/limits", SetLimitsAsync).RequireAuthorization(AdminRoles.MerchantFinances)
            .Doc("setMerchantLimits", "Set a merchant's cash-out limit", "Lowering applies at once; raising or removing it is a change request that another admin decides (202).")
            .Body(new MerchantLimitsBody { DailyCashoutLimit = 50000000, Reason = "Volume grew" }).Returns<MerchantLimitsView>().Returns<ChangeRequestView>(202).NotFound()
            .Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer").Fails(409, "change_request_pending");
        merchants.MapPost("/{id}/reactivate", ReactivateAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("reactivateMerchant", "Reactivate a merchant").Body(new ReasonBody { Reason = "Checked the documents" }).Returns<MerchantView>().NotFound().Fails(400, "reason_required");
    }

    internal static async Task<Result<CreatedMerchantView>> CreateAsync(Body<CreateMerchantBody> body, AdminActor actor, MerchantService merchants, AuditLog audit, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (m, key) = await merchants.CreateAsync(request.Name, request.SupportEmail, cancellationToken);
        await audit.WriteAsync(actor, new AuditEntry("merchant.created", "merchant", m.Id, null, m, request.Reason), cancellationToken: CancellationToken.None);
        return Result<CreatedMerchantView>.Created(new CreatedMerchantView(m.Id, m.Object, m.Name, m.Status, m.SupportEmail, m.StatementName, m.ApprovedAt, m.CreatedAt, key));
    }

    /// <summary>Merchants, newest first: <c>status</c>, <c>limit</c> (1 to 100, else 10) and <c>starting_after</c>; other parameters are ignored.</summary>
    internal static async Task<Result<ListQuery.ListView<MerchantView>>> ListAsync(ListRequest request, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var status = request["status"] ?? "";
        var limit = int.TryParse(request["limit"], out var l) && l is >= 1 and <= 100 ? l : 10;
        var after = request["starting_after"] ?? "";
        await using var cmd = db.CreateCommand($"""
            select {MerchantService.Columns} from merchants
            where ($1 = '' or status = $1)
              and ($2 = '' or seq < coalesce((select seq from merchants where id = $2), -1))
            order by seq desc limit $3
            """);
        cmd.Parameters.Add(new() { Value = status });
        cmd.Parameters.Add(new() { Value = after });
        cmd.Parameters.Add(new() { Value = limit + 1 });
        var rows = new List<MerchantView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(MerchantService.Read(reader));
        }

        var hasMore = rows.Count > limit;
        return ListQuery.View(rows.Take(limit).ToList(), hasMore, "/admin/v1/merchants");
    }

    internal static async Task<Result<MerchantView>> GetAsync(string id, MerchantService merchants, CancellationToken cancellationToken) =>
        await merchants.FindAsync(id, cancellationToken) is { } m ? m : Refusal.NotFound("merchant");

    internal static async Task<Result<ApprovedMerchantView>> ApproveAsync(
        string id, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var before = await merchants.FindAsync(id, cancellationToken);
        if (before is null)
        {
            return Refusal.NotFound("merchant");
        }

        if (before.ApprovedAt is not null)
        {
            return AlreadyApproved;
        }

        var now = clock.GetUtcNow();
        var key = ApiKeys.New(Mode.Live);
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);

        // Only the approval that flips approved_at issues a live key: two at once give one key, one 409.
        await using (var approve = new NpgsqlCommand("update merchants set approved_at = $2, updated_at = $2 where id = $1 and approved_at is null", conn, tx))
        {
            approve.Parameters.Add(new() { Value = id });
            approve.Parameters.Add(new() { Value = now });
            if (await approve.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return AlreadyApproved;
            }
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(MerchantService.InsertKey(id, Mode.Live, key, now));
        var after = before with { ApprovedAt = ApiJson.Time(now) };
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("merchant.approved", "merchant", id, before, after, body.Value.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ApprovedMerchantView(after.Id, after.Object, after.Name, after.Status, after.SupportEmail, after.StatementName, after.ApprovedAt, after.CreatedAt, key);
    }

    private static readonly Refusal AlreadyApproved = new(409, "merchant_already_approved", "This merchant is already approved; roll its live key instead.");

    internal static Task<Result<MerchantView>> SuspendAsync(
        string id, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock, CancellationToken cancellationToken) =>
        SetStatusAsync(id, "suspended", body.Value.Reason, actor, db, merchants, audit, auth, clock, cancellationToken);

    internal static Task<Result<MerchantView>> ReactivateAsync(
        string id, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock, CancellationToken cancellationToken) =>
        SetStatusAsync(id, "active", body.Value.Reason, actor, db, merchants, audit, auth, clock, cancellationToken);

    private static async Task<Result<MerchantView>> SetStatusAsync(
        string id, string status, string reason, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock, CancellationToken cancellationToken)
    {
        var before = await merchants.FindAsync(id, cancellationToken);
        if (before is null)
        {
            return Refusal.NotFound("merchant");
        }

        var after = before with { Status = status };
        await using var batch = db.CreateBatch();
        var update = new NpgsqlBatchCommand("update merchants set status = $2, updated_at = $3 where id = $1");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry(status == "suspended" ? "merchant.suspended" : "merchant.reactivated", "merchant", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        auth.Forget();
        return after;
    }

    private static readonly Refusal NoUnverifiedAccount = new(404, "resource_missing", "No unverified bank account with that id for this merchant.", "bank_account");

    /// <summary>
    /// Verifies a bank account. A live account is where real money goes, so its verification is a change
    /// request that another admin approves (202 with the <see cref="ChangeRequestView"/>); a test-mode
    /// account is verified at once (200 with the <see cref="Disbursements.BankAccountView"/>).
    /// </summary>
    internal static async Task<Result<object>> VerifyBankAccountAsync(
        string id, string bankAccount, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, FourEyes fourEyes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var reason = body.Value.Reason;
        string? mode;
        await using (var find = db.CreateCommand("select mode from bank_accounts where id = $1 and merchant_id = $2 and deleted_at is null and status = 'unverified'"))
        {
            find.Parameters.Add(new() { Value = bankAccount });
            find.Parameters.Add(new() { Value = id });
            mode = (string?)await find.ExecuteScalarAsync(cancellationToken);
        }

        if (mode is null)
        {
            return NoUnverifiedAccount;
        }

        if (mode == "live")
        {
            return Requested(await fourEyes.RequestAsync(actor, FourEyes.VerifyBankAccount, id, bankAccount, new { bank_account = bankAccount, status = "verified" }, reason, cancellationToken));
        }

        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand("""
            update bank_accounts set status = 'verified', verified_at = $3, updated_at = $3
            where id = $1 and merchant_id = $2 and deleted_at is null and status = 'unverified'
            """, conn, tx))
        {
            update.Parameters.Add(new() { Value = bankAccount });
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = clock.GetUtcNow() });
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return NoUnverifiedAccount;
            }
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("bank_account.verified", "bank_account", bankAccount, new { status = "unverified" }, new { status = "verified", merchant = id }, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Verified((await Disbursements.BankAccountEndpoints.FindAsync(db, id, mode, bankAccount, cancellationToken))!);
    }

    /// <summary>
    /// Sets the daily cash-out limit: 200 with the <see cref="MerchantLimitsView"/> when it applies at
    /// once, 202 with the <see cref="ChangeRequestView"/> when another admin must approve it.
    /// </summary>
    internal static async Task<Result<object>> SetLimitsAsync(
        string id, Body<MerchantLimitsBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, FourEyes fourEyes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (limit, reason) = (body.Value.DailyCashoutLimit, body.Value.Reason);
        if (await merchants.FindAsync(id, cancellationToken) is null)
        {
            return Refusal.NotFound("merchant");
        }

        long? before;
        await using (var read = db.CreateCommand("select daily_cashout_limit from merchants where id = $1"))
        {
            read.Parameters.Add(new() { Value = id });
            before = await read.ExecuteScalarAsync(cancellationToken) as long?;
        }

        // Lowering a limit (or setting one where there was none) protects the merchant and applies at
        // once; raising or removing one lets more money leave in a day, so another admin approves it.
        var raises = before is not null && (limit is null || limit > before);
        if (raises)
        {
            return Requested(await fourEyes.RequestAsync(actor, FourEyes.CashoutLimit, id, id, new { daily_cashout_limit = limit, was = before }, reason, cancellationToken));
        }

        await using var batch = db.CreateBatch();
        var update = new NpgsqlBatchCommand("update merchants set daily_cashout_limit = $2, updated_at = $3 where id = $1");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = (object?)limit ?? DBNull.Value });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("merchant.limits_changed", "merchant", id, new { daily_cashout_limit = before }, new { daily_cashout_limit = limit }, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return Verified(new MerchantLimitsView(id, "merchant_limits", limit));
    }

    private static Result<object> Verified(object view) => view;

    /// <summary>A change asked of a second admin as <see cref="FourEyes"/> answered it: 202 with the waiting request, or its refusal.</summary>
    private static Result<object> Requested(ApiResponse answer)
    {
        if (answer.StatusCode == 202)
        {
            return Result<object>.Accepted(JsonSerializer.Deserialize<ChangeRequestView>(answer.Body, ApiJson.Options)!);
        }

        using var problem = JsonDocument.Parse(answer.Body);
        var root = problem.RootElement;
        return new Refusal(answer.StatusCode, root.GetProperty("code").GetString()!, root.GetProperty("detail").GetString()!, root.TryGetProperty("param", out var param) ? param.GetString() : null);
    }
}

public sealed record CreateMerchantBody : ReasonBody, IRequestBody<CreateMerchantBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string Name { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200)]
    public string? SupportEmail { get; init; }

    public static new CreateMerchantBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var name = f.String("name", required: true, maxLength: 200);
        var email = f.String("support_email", required: false, maxLength: 200);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateMerchantBody { Reason = reason, Name = name!, SupportEmail = email };
    }
}

public sealed record MerchantLimitsBody : ReasonBody, IRequestBody<MerchantLimitsBody>
{
    [System.ComponentModel.Description("Most that may be paid out per Jakarta day, or null for no limit.")]
    [System.ComponentModel.DataAnnotations.Range(0, 9007199254740991)]
    public required long? DailyCashoutLimit { get; init; }

    public static new MerchantLimitsBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var clear = f.IsExplicitNull("daily_cashout_limit");
        var limit = f.Integer("daily_cashout_limit", 0, Money.MaxAmount);
        if (limit is null && !clear)
        {
            f.Add("daily_cashout_limit", "parameter_missing", "daily_cashout_limit is required: an amount, or null for no limit.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new MerchantLimitsBody { Reason = reason, DailyCashoutLimit = limit };
    }
}

public sealed record MerchantLimitsView(string Id, string Object, long? DailyCashoutLimit);

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
        merchants.MapPost("/{id}/suspend", (string id, HttpContext http, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock) =>
            SetStatusAsync(id, "suspended", http, db, merchants, audit, auth, clock)).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("suspendMerchant", "Suspend a merchant", "Its keys stop working at once; nothing of its money moves until it is reactivated.")
            .Body(new ReasonBody { Reason = "Checked the documents" }).Returns<MerchantView>().NotFound().Fails(400, "reason_required");
        merchants.MapPost("/{id}/bank_accounts/{bankAccount}/verify", VerifyBankAccountAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("verifyBankAccount", "Verify a merchant's bank account", "In test mode at once; in live mode a change request that another admin decides (202).")
            .Body(new ReasonBody { Reason = "Checked the documents" }).Returns<Disbursements.BankAccountView>().Returns<ChangeRequestView>(202).NotFound().Fails(400, "reason_required").Fails(409, "change_request_pending");
        merchants.MapPatch("/{id}/limits", SetLimitsAsync).RequireAuthorization(AdminRoles.MerchantFinances)
            .Doc("setMerchantLimits", "Set a merchant's cash-out limit", "Lowering applies at once; raising or removing it is a change request that another admin decides (202).")
            .Body(new MerchantLimitsBody { DailyCashoutLimit = 50000000, Reason = "Volume grew" }).Returns<MerchantLimitsView>().Returns<ChangeRequestView>(202).NotFound()
            .Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer").Fails(409, "change_request_pending");
        merchants.MapPost("/{id}/reactivate", (string id, HttpContext http, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock) =>
            SetStatusAsync(id, "active", http, db, merchants, audit, auth, clock)).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("reactivateMerchant", "Reactivate a merchant").Body(new ReasonBody { Reason = "Checked the documents" }).Returns<MerchantView>().NotFound().Fails(400, "reason_required");
    }

    internal static async Task<ApiResponse> CreateAsync(HttpContext http, MerchantService merchants, AuditLog audit)
    {
        var (f, reason, problem) = await ChangeRequest.ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var name = f!.String("name", required: true, maxLength: 200);
        var email = f.String("support_email", required: false, maxLength: 200);
        if (ChangeRequest.Check(f) is { } invalid)
        {
            return invalid;
        }

        var (m, key) = await merchants.CreateAsync(name!, email, http.RequestAborted);
        await audit.WriteAsync(AdminActor.Of(http), new AuditEntry("merchant.created", "merchant", m.Id, null, m, reason));
        return ApiResponse.Ok(new CreatedMerchantView(m.Id, m.Object, m.Name, m.Status, m.SupportEmail, m.StatementName, m.ApprovedAt, m.CreatedAt, key), 201);
    }

    internal static async Task<ApiResponse> ListAsync(HttpContext http, NpgsqlDataSource db)
    {
        var status = http.Request.Query["status"].ToString();
        var limit = int.TryParse(http.Request.Query["limit"], out var l) && l is >= 1 and <= 100 ? l : 10;
        var after = http.Request.Query["starting_after"].ToString();
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
        await using var reader = await cmd.ExecuteReaderAsync(http.RequestAborted);
        while (await reader.ReadAsync(http.RequestAborted))
        {
            rows.Add(MerchantService.Read(reader));
        }

        var hasMore = rows.Count > limit;
        return ListQuery.Answer(rows.Take(limit).ToList(), hasMore, "/admin/v1/merchants");
    }

    internal static async Task<ApiResponse> GetAsync(string id, HttpContext http, MerchantService merchants)
    {
        var m = await merchants.FindAsync(id, http.RequestAborted);
        return m is null ? Problems.NotFound("merchant") : ApiResponse.Ok(m);
    }

    internal static async Task<ApiResponse> ApproveAsync(string id, HttpContext http, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, TimeProvider clock)
    {
        var (reason, problem) = await ChangeRequest.ReadReasonAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var before = await merchants.FindAsync(id, http.RequestAborted);
        if (before is null)
        {
            return Problems.NotFound("merchant");
        }

        if (before.ApprovedAt is not null)
        {
            return Problems.Create(409, "merchant_already_approved", "This merchant is already approved; roll its live key instead.");
        }

        var now = clock.GetUtcNow();
        var key = ApiKeys.New(Mode.Live);
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);

        // Only the approval that flips approved_at issues a live key: two at once give one key, one 409.
        await using (var approve = new NpgsqlCommand("update merchants set approved_at = $2, updated_at = $2 where id = $1 and approved_at is null", conn, tx))
        {
            approve.Parameters.Add(new() { Value = id });
            approve.Parameters.Add(new() { Value = now });
            if (await approve.ExecuteNonQueryAsync(http.RequestAborted) == 0)
            {
                return Problems.Create(409, "merchant_already_approved", "This merchant is already approved; roll its live key instead.");
            }
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(MerchantService.InsertKey(id, Mode.Live, key, now));
        var after = before with { ApprovedAt = ApiJson.Time(now) };
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("merchant.approved", "merchant", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        await tx.CommitAsync(http.RequestAborted);
        return ApiResponse.Ok(new ApprovedMerchantView(after.Id, after.Object, after.Name, after.Status, after.SupportEmail, after.StatementName, after.ApprovedAt, after.CreatedAt, key));
    }

    internal static async Task<ApiResponse> SetStatusAsync(string id, string status, HttpContext http, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantAuthenticator auth, TimeProvider clock)
    {
        var (reason, problem) = await ChangeRequest.ReadReasonAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var before = await merchants.FindAsync(id, http.RequestAborted);
        if (before is null)
        {
            return Problems.NotFound("merchant");
        }

        var after = before with { Status = status };
        await using var batch = db.CreateBatch();
        var update = new NpgsqlBatchCommand("update merchants set status = $2, updated_at = $3 where id = $1");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry(status == "suspended" ? "merchant.suspended" : "merchant.reactivated", "merchant", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        auth.Forget();
        return ApiResponse.Ok(after);
    }

    /// <summary>
    /// Verifies a bank account. A live account is where real money goes, so its verification is a change
    /// request that another admin approves (202 with the request); a test-mode account is verified at once.
    /// </summary>
    internal static async Task<ApiResponse> VerifyBankAccountAsync(string id, string bankAccount, HttpContext http, NpgsqlDataSource db, AuditLog audit, FourEyes fourEyes, TimeProvider clock)
    {
        var (reason, problem) = await ChangeRequest.ReadReasonAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        string? mode;
        await using (var find = db.CreateCommand("select mode from bank_accounts where id = $1 and merchant_id = $2 and deleted_at is null and status = 'unverified'"))
        {
            find.Parameters.Add(new() { Value = bankAccount });
            find.Parameters.Add(new() { Value = id });
            mode = (string?)await find.ExecuteScalarAsync(http.RequestAborted);
        }

        if (mode is null)
        {
            return Problems.Create(404, "resource_missing", "No unverified bank account with that id for this merchant.", "bank_account");
        }

        if (mode == "live")
        {
            return await fourEyes.RequestAsync(AdminActor.Of(http), FourEyes.VerifyBankAccount, id, bankAccount, new { bank_account = bankAccount, status = "verified" }, reason!, http.RequestAborted);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        await using (var update = new NpgsqlCommand("""
            update bank_accounts set status = 'verified', verified_at = $3, updated_at = $3
            where id = $1 and merchant_id = $2 and deleted_at is null and status = 'unverified'
            """, conn, tx))
        {
            update.Parameters.Add(new() { Value = bankAccount });
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = clock.GetUtcNow() });
            if (await update.ExecuteNonQueryAsync(http.RequestAborted) == 0)
            {
                return Problems.Create(404, "resource_missing", "No unverified bank account with that id for this merchant.", "bank_account");
            }
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("bank_account.verified", "bank_account", bankAccount, new { status = "unverified" }, new { status = "verified", merchant = id }, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        await tx.CommitAsync(http.RequestAborted);
        return ApiResponse.Ok((await Disbursements.BankAccountEndpoints.FindAsync(db, id, mode, bankAccount, http.RequestAborted))!);
    }

    internal static async Task<ApiResponse> SetLimitsAsync(string id, HttpContext http, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, FourEyes fourEyes, TimeProvider clock)
    {
        var (f, reason, problem) = await ChangeRequest.ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var clear = f!.IsExplicitNull("daily_cashout_limit");
        var limit = f.Integer("daily_cashout_limit", 0, Money.MaxAmount);
        if (limit is null && !clear)
        {
            f.Add("daily_cashout_limit", "parameter_missing", "daily_cashout_limit is required: an amount, or null for no limit.");
        }

        if (ChangeRequest.Check(f) is { } invalid)
        {
            return invalid;
        }

        if (await merchants.FindAsync(id, http.RequestAborted) is null)
        {
            return Problems.NotFound("merchant");
        }

        long? before;
        await using (var read = db.CreateCommand("select daily_cashout_limit from merchants where id = $1"))
        {
            read.Parameters.Add(new() { Value = id });
            before = await read.ExecuteScalarAsync(http.RequestAborted) as long?;
        }

        // Lowering a limit (or setting one where there was none) protects the merchant and applies at
        // once; raising or removing one lets more money leave in a day, so another admin approves it.
        var raises = before is not null && (limit is null || limit > before);
        if (raises)
        {
            return await fourEyes.RequestAsync(AdminActor.Of(http), FourEyes.CashoutLimit, id, id, new { daily_cashout_limit = limit, was = before }, reason!, http.RequestAborted);
        }

        await using var batch = db.CreateBatch();
        var update = new NpgsqlBatchCommand("update merchants set daily_cashout_limit = $2, updated_at = $3 where id = $1");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = (object?)limit ?? DBNull.Value });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("merchant.limits_changed", "merchant", id, new { daily_cashout_limit = before }, new { daily_cashout_limit = limit }, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        return ApiResponse.Ok(new MerchantLimitsView(id, "merchant_limits", limit));
    }
}

public sealed record CreateMerchantBody : ReasonBody
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string Name { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200)]
    public string? SupportEmail { get; init; }
}

public sealed record MerchantLimitsBody : ReasonBody
{
    [System.ComponentModel.Description("Most that may be paid out per Jakarta day, or null for no limit.")]
    [System.ComponentModel.DataAnnotations.Range(0, 9007199254740991)]
    public required long? DailyCashoutLimit { get; init; }
}

public sealed record MerchantLimitsView(string Id, string Object, long? DailyCashoutLimit);

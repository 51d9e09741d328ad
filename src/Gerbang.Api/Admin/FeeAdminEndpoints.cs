using System.Globalization;
using Gerbang.Api.Http;
using Gerbang.Api.Payments;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Fees as operators set them: defaults, merchant contracts, the platform margin and holidays.</summary>
public static class FeeAdminEndpoints
{
    private static readonly string[] Methods = ["va", "qris", "card", "upi", "disbursement"];

    public sealed record RuleView(string? Merchant, string Method, long Flat, int BasisPoints);

    public sealed record MarginView(string Object, bool Enabled, long Flat, int BasisPoints);

    public sealed record HolidayView(string Date, string Name, long Flat, int BasisPoints);

    public static void MapFeeAdmin(this RouteGroupBuilder admin)
    {
        var fees = admin.MapGroup("").WithTags("admin fees");
        var rule = new FeeRuleBody { Flat = 4000, BasisPoints = 0, Reason = "New bank agreement" };
        fees.MapGet("/fees", OverviewAsync).RequireAuthorization(AdminRoles.ManageFees)
            .Doc("getFeeSchedule", "Get the fee schedule", "The default fee per method, the margin and the bank holidays.").Returns<FeeScheduleView>();
        fees.MapPut("/fees/defaults/{method}", SetDefaultRuleAsync).RequireAuthorization(AdminRoles.ManageFees)
            .Doc("setDefaultFee", "Set a method's default fee").Body(rule).Returns<RuleView>()
            .Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer");
        fees.MapGet("/merchants/{id}/fees", MerchantRulesAsync).RequireAuthorization(AdminRoles.MerchantFinances)
            .Doc("listMerchantFees", "List a merchant's own fees").Returns<ListQuery.ListView<RuleView>>();
        fees.MapPut("/merchants/{id}/fees/{method}", SetRuleAsync).RequireAuthorization(AdminRoles.MerchantFinances)
            .Doc("setMerchantFee", "Set a merchant's fee for a method").Body(rule).Returns<RuleView>().NotFound()
            .Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer");
        fees.MapDelete("/merchants/{id}/fees/{method}", RemoveRuleAsync).RequireAuthorization(AdminRoles.MerchantFinances)
            .Doc("removeMerchantFee", "Remove a merchant's fee for a method", "The default applies again.").Body(new ReasonBody { Reason = "Promotion ended" })
            .Returns<FeeRuleDeletedView>().NotFound().Fails(400, "reason_required");
        fees.MapGet("/fees/margin", GetMarginAsync).RequireAuthorization(AdminRoles.ReadMargin)
            .Doc("getMargin", "Get the margin", "What Gerbang adds on top of the provider's cost when a fee is below it.").Returns<MarginView>();
        fees.MapPut("/fees/margin", SetMarginAsync).RequireAuthorization(AdminRoles.WriteMargin)
            .Doc("setMargin", "Set the margin").Body(new MarginBody { Enabled = true, Flat = 500, BasisPoints = 10, Reason = "Cover the provider's new price" })
            .Returns<MarginView>().Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer");
        fees.MapPut("/fees/holidays/{date}", SetHolidayAsync).RequireAuthorization(AdminRoles.ManageFees)
            .Doc("setHoliday", "Set a bank holiday", "Payments settled on it carry its fee.").Body(new HolidayBody { Name = "Idul Fitri", Flat = 5000, Reason = "Bank calendar 2027" })
            .Returns<HolidayView>().Fails(400, "reason_required", "parameter_invalid_time", "parameter_out_of_range", "parameter_invalid_integer");
        fees.MapDelete("/fees/holidays/{date}", RemoveHolidayAsync).RequireAuthorization(AdminRoles.ManageFees)
            .Doc("removeHoliday", "Remove a bank holiday").Body(new ReasonBody { Reason = "Date moved" }).Returns<HolidayDeletedView>().NotFound().Fails(400, "reason_required");
    }

    /// <summary>A fee rule's amounts, as the bodies that carry one read them: flat, basis points or both.</summary>
    internal static (long? Flat, int? BasisPoints) ReadRule(Fields f)
    {
        var flat = f.Integer("flat", 0, 100_000_000);
        var bps = f.Integer("basis_points", 0, 10_000);
        if (flat is null && bps is null)
        {
            f.Add("flat", "parameter_missing", "Give flat, basis_points or both.");
        }

        return (flat, bps is null ? null : (int)bps);
    }

    internal static async Task<Result<FeeScheduleView>> OverviewAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var defaults = await RulesAsync(db, "", cancellationToken);
        var holidays = new List<HolidayView>();
        await using (var cmd = db.CreateCommand("select day, name, flat, basis_points from fee_holidays order by day"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                holidays.Add(new HolidayView(reader.GetFieldValue<DateOnly>(0).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
        }

        return new FeeScheduleView("fee_schedule", defaults, await MarginAsync(db, cancellationToken), holidays);
    }

    internal static async Task<Result<ListQuery.ListView<RuleView>>> MerchantRulesAsync(string id, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.View(await RulesAsync(db, id, cancellationToken), false, $"/admin/v1/merchants/{id}/fees");

    private static async Task<List<RuleView>> RulesAsync(NpgsqlDataSource db, string merchant, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("select method, flat, basis_points from fee_rules where merchant_id = $1 order by method");
        cmd.Parameters.Add(new() { Value = merchant });
        var rules = new List<RuleView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rules.Add(new RuleView(merchant.Length == 0 ? null : merchant, reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2)));
        }

        return rules;
    }

    internal static async Task<Result<MarginView>> GetMarginAsync(NpgsqlDataSource db, CancellationToken cancellationToken) => await MarginAsync(db, cancellationToken);

    private static async Task<MarginView> MarginAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("select enabled, flat, basis_points from platform_margin");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MarginView("platform_margin", reader.GetBoolean(0), reader.GetInt64(1), reader.GetInt32(2))
            : new MarginView("platform_margin", false, 0, 0);
    }

    /// <summary>The default fee of a method: what a merchant without its own rule pays.</summary>
    internal static Task<Result<RuleView>> SetDefaultRuleAsync(
        string method, Body<FeeRuleBody> body, AdminActor actor, NpgsqlDataSource db, Merchants.MerchantService merchants, AuditLog audit, FeeResolver fees, TimeProvider clock, CancellationToken cancellationToken) =>
        SetRuleAsync("", method, body, actor, db, merchants, audit, fees, clock, cancellationToken);

    /// <summary>A merchant's own fee for a method (<paramref name="id"/> empty: the default).</summary>
    internal static async Task<Result<RuleView>> SetRuleAsync(
        string id, string method, Body<FeeRuleBody> body, AdminActor actor, NpgsqlDataSource db, Merchants.MerchantService merchants, AuditLog audit, FeeResolver fees, TimeProvider clock, CancellationToken cancellationToken)
    {
        var merchant = id;
        if (!Methods.Contains(method))
        {
            return Refusal.Invalid([new FieldError("method", "method_invalid", $"method must be one of {string.Join(", ", Methods)}.")]);
        }

        if (merchant.Length > 0 && await merchants.FindAsync(merchant, cancellationToken) is null)
        {
            return Refusal.NotFound("merchant");
        }

        var request = body.Value;
        var before = (await RulesAsync(db, merchant, cancellationToken)).FirstOrDefault(r => r.Method == method);
        var after = new RuleView(merchant.Length == 0 ? null : merchant, method, request.Flat ?? 0, (int)(request.BasisPoints ?? 0));
        await using var batch = db.CreateBatch();
        var upsert = new NpgsqlBatchCommand("""
            insert into fee_rules (merchant_id, method, flat, basis_points, updated_at) values ($1, $2, $3, $4, $5)
            on conflict (merchant_id, method) do update set flat = excluded.flat, basis_points = excluded.basis_points, updated_at = excluded.updated_at
            """);
        foreach (var v in new object[] { merchant, method, after.Flat, after.BasisPoints, clock.GetUtcNow() })
        {
            upsert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry(merchant.Length == 0 ? "fees.default_set" : "fees.merchant_set", merchant.Length == 0 ? "fee_default" : "merchant", merchant.Length == 0 ? method : merchant, before, after, request.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        fees.Forget();
        return after;
    }

    internal static async Task<Result<FeeRuleDeletedView>> RemoveRuleAsync(
        string id, string method, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, FeeResolver fees, CancellationToken cancellationToken)
    {
        var before = (await RulesAsync(db, id, cancellationToken)).FirstOrDefault(r => r.Method == method);
        if (before is null)
        {
            return Refusal.NotFound("fee rule");
        }

        await using var batch = db.CreateBatch();
        var delete = new NpgsqlBatchCommand("delete from fee_rules where merchant_id = $1 and method = $2");
        delete.Parameters.Add(new() { Value = id });
        delete.Parameters.Add(new() { Value = method });
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("fees.merchant_removed", "merchant", id, before, null, body.Value.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        fees.Forget();
        return new FeeRuleDeletedView(id, method, true);
    }

    internal static async Task<Result<MarginView>> SetMarginAsync(Body<MarginBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, FeeResolver fees, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var before = await MarginAsync(db, cancellationToken);
        var after = new MarginView("platform_margin", request.Enabled, request.Flat ?? 0, (int)(request.BasisPoints ?? 0));
        await using var batch = db.CreateBatch();
        var upsert = new NpgsqlBatchCommand("""
            insert into platform_margin (id, enabled, flat, basis_points, updated_at) values (true, $1, $2, $3, $4)
            on conflict (id) do update set enabled = excluded.enabled, flat = excluded.flat, basis_points = excluded.basis_points, updated_at = excluded.updated_at
            """);
        foreach (var v in new object[] { after.Enabled, after.Flat, after.BasisPoints, clock.GetUtcNow() })
        {
            upsert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("fees.margin_set", "platform_margin", null, before, after, request.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        fees.Forget();
        return after;
    }

    internal static async Task<Result<HolidayView>> SetHolidayAsync(string date, Body<HolidayBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, FeeResolver fees, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Refusal.Invalid([new FieldError("date", "parameter_invalid_time", "The date must be YYYY-MM-DD (a Jakarta calendar day).")]);
        }

        var request = body.Value;
        var holiday = new HolidayView(date, request.Name, request.Flat ?? 0, (int)(request.BasisPoints ?? 0));
        await using var batch = db.CreateBatch();
        var upsert = new NpgsqlBatchCommand("""
            insert into fee_holidays (day, name, flat, basis_points) values ($1, $2, $3, $4)
            on conflict (day) do update set name = excluded.name, flat = excluded.flat, basis_points = excluded.basis_points
            """);
        foreach (var v in new object[] { day, holiday.Name, holiday.Flat, holiday.BasisPoints })
        {
            upsert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("fees.holiday_set", "fee_holiday", date, null, holiday, request.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        fees.Forget();
        return holiday;
    }

    internal static async Task<Result<HolidayDeletedView>> RemoveHolidayAsync(string date, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, FeeResolver fees, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Refusal.Invalid([new FieldError("date", "parameter_invalid_time", "The date must be YYYY-MM-DD.")]);
        }

        await using var batch = db.CreateBatch();
        var delete = new NpgsqlBatchCommand("delete from fee_holidays where day = $1");
        delete.Parameters.Add(new() { Value = day });
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("fees.holiday_removed", "fee_holiday", date, null, null, body.Value.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        fees.Forget();
        return delete.RecordsAffected == 1 ? new HolidayDeletedView(date, true) : Refusal.NotFound("holiday");
    }
}

public sealed record FeeRuleBody : ReasonBody, IRequestBody<FeeRuleBody>
{
    [System.ComponentModel.Description("A flat fee in the currency's smallest unit (0 to 100,000,000).")]
    [System.ComponentModel.DataAnnotations.Range(0, 100000000)]
    public long? Flat { get; init; }

    [System.ComponentModel.Description("A share of the amount in hundredths of a percent (0 to 10,000). Give flat, basis_points or both.")]
    [System.ComponentModel.DataAnnotations.Range(0, 10000)]
    public long? BasisPoints { get; init; }

    public static new FeeRuleBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var (flat, bps) = FeeAdminEndpoints.ReadRule(f);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new FeeRuleBody { Reason = reason, Flat = flat, BasisPoints = bps };
    }
}

public sealed record MarginBody : ReasonBody, IRequestBody<MarginBody>
{
    public required bool Enabled { get; init; }

    [System.ComponentModel.DataAnnotations.Range(0, 100000000)]
    public long? Flat { get; init; }

    [System.ComponentModel.DataAnnotations.Range(0, 10000)]
    public long? BasisPoints { get; init; }

    public static new MarginBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var enabled = f.Boolean("enabled");
        var flat = f.Integer("flat", 0, 100_000_000);
        var bps = f.Integer("basis_points", 0, 10_000);
        if (enabled is null)
        {
            f.Add("enabled", "parameter_missing", "enabled is required.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new MarginBody { Reason = reason, Enabled = enabled!.Value, Flat = flat, BasisPoints = bps };
    }
}

public sealed record HolidayBody : ReasonBody, IRequestBody<HolidayBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(100, MinimumLength = 1)]
    public required string Name { get; init; }

    [System.ComponentModel.DataAnnotations.Range(0, 100000000)]
    public long? Flat { get; init; }

    [System.ComponentModel.DataAnnotations.Range(0, 10000)]
    public long? BasisPoints { get; init; }

    public static new HolidayBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var name = f.String("name", required: true, maxLength: 100);
        var (flat, bps) = FeeAdminEndpoints.ReadRule(f);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new HolidayBody { Reason = reason, Name = name!, Flat = flat, BasisPoints = bps };
    }
}

public sealed record FeeScheduleView(string Object, IReadOnlyList<FeeAdminEndpoints.RuleView> Defaults, FeeAdminEndpoints.MarginView Margin, IReadOnlyList<FeeAdminEndpoints.HolidayView> Holidays);

public sealed record FeeRuleDeletedView(string Merchant, string Method, bool Deleted);

public sealed record HolidayDeletedView(string Date, bool Deleted);

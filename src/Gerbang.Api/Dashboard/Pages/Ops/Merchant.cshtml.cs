using Gerbang.Api.Admin;
using Gerbang.Api.Disbursements;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Domain;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>
/// One merchant for operators: approve, suspend, reactivate, fees and cash-out limit, bank account
/// verification, dashboard users. Each action asks for the reason the audit log keeps, and each is
/// offered only to the roles the admin API allows it to.
/// </summary>
public sealed class MerchantModel : DashboardPage
{
    public ApiResult Subject { get; private set; } = null!;

    public ApiResult? Fees { get; private set; }

    public List<System.Text.Json.JsonElement> BankAccounts { get; } = [];

    public ApiResult Users { get; private set; } = null!;

    public ApiResult? LiveKey { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        Subject = await CallAsync(h => MerchantAdminEndpoints.GetAsync(id, h, Service<MerchantService>()));
        if (!Subject.Ok)
        {
            Response.StatusCode = Subject.Status;
            return Page();
        }

        if (Can(AdminRoles.MerchantFinances))
        {
            Fees = await CallAsync(h => FeeAdminEndpoints.MerchantRulesAsync(id, h, db));
        }

        // Bank accounts are read through the merchant's own list, once per mode: the operator sees what the merchant sees.
        foreach (var mode in new[] { Mode.Test, Mode.Live })
        {
            BankAccounts.AddRange((await CallAsync(BankAccountEndpoints.ListAsync(ListRequest.Of(), new MerchantContext(id, mode, "dashboard:operator"), db, Aborted))).Data);
        }

        Users = await CallAsync(h => MerchantUserEndpoints.ListAsync(id, h, db));
        return Page();
    }

    public Task<IActionResult> OnPostStatusAsync(string id, string status, string? reason) => ActAsync(AdminRoles.ManageMerchants, async () =>
    {
        if (status == "approve")
        {
            LiveKey = await CallAsync(h => MerchantAdminEndpoints.ApproveAsync(id, h, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<TimeProvider>()), Body(("reason", reason)));
            return LiveKey;
        }

        return await CallAsync(
            h => MerchantAdminEndpoints.SetStatusAsync(id, status == "suspend" ? "suspended" : "active", h, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<MerchantAuthenticator>(), Service<TimeProvider>()),
            Body(("reason", reason)));
    }, status switch { "approve" => "Merchant approved for live mode.", "suspend" => "Merchant suspended.", _ => "Merchant reactivated." });

    public Task<IActionResult> OnPostLimitAsync(string id, long? daily_cashout_limit, bool no_limit, string? reason) => ActAsync(AdminRoles.MerchantFinances, () =>
    {
        var body = Body(("daily_cashout_limit", daily_cashout_limit), ("reason", reason));
        if (no_limit)
        {
            body["daily_cashout_limit"] = null;
        }

        return CallAsync(h => MerchantAdminEndpoints.SetLimitsAsync(id, h, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<FourEyes>(), Service<TimeProvider>()), body);
    }, "Daily cash-out limit saved.");

    public Task<IActionResult> OnPostFeeAsync(string id, string method, long? flat, long? basis_points, string? reason) => ActAsync(AdminRoles.MerchantFinances, () =>
        CallAsync(
            h => FeeAdminEndpoints.SetRuleAsync(id, method, h, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<FeeResolver>(), Service<TimeProvider>()),
            Body(("flat", flat), ("basis_points", basis_points), ("reason", reason))), $"Fee for {method} saved.");

    public Task<IActionResult> OnPostVerifyAsync(string id, string bank_account, string? reason) => ActAsync(AdminRoles.ManageMerchants, () =>
        CallAsync(h => MerchantAdminEndpoints.VerifyBankAccountAsync(id, bank_account, h, Service<NpgsqlDataSource>(), Service<AuditLog>(), Service<FourEyes>(), Service<TimeProvider>()), Body(("reason", reason))), "Bank account verified.");

    public Task<IActionResult> OnPostUserAsync(string id, string? email, string? reason) => ActAsync(AdminRoles.ManageMerchants, () =>
        CallAsync(
            h => MerchantUserEndpoints.CreateAsync(id, h, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<MerchantInvitations>(), Service<TimeProvider>()),
            Body(("email", email), ("reason", reason))), $"{email} is invited: the link to set a password went to that address.");

    /// <summary>Runs a change the role may make; the approval's live key is shown on this answer, never carried in a cookie.</summary>
    private async Task<IActionResult> ActAsync(string permission, Func<Task<ApiResult>> change, string success)
    {
        if (!Can(permission))
        {
            return Denied();
        }

        var id = (string)RouteData.Values["id"]!;
        var result = await change();
        if (LiveKey is { Ok: true })
        {
            Flash = success;
            return await OnGetAsync(id);
        }

        // 202: the change is a request that waits for a second admin.
        return Done(result, result.Status == 202 ? "Requested: another admin must approve this change under Change requests." : success);
    }
}

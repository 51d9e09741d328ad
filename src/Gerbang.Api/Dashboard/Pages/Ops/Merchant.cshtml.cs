using System.Text.Json;
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
    public MerchantView? Subject { get; private set; }

    /// <summary>Why there is no merchant to show.</summary>
    public Refusal? Missing { get; private set; }

    /// <summary>The merchant's own fee rules, for a role that manages merchant finances.</summary>
    public IReadOnlyList<FeeAdminEndpoints.RuleView>? Fees { get; private set; }

    public List<BankAccountView> BankAccounts { get; } = [];

    public IReadOnlyList<MerchantUserEndpoints.MerchantUserView> Users { get; private set; } = [];

    /// <summary>The approval's answer: the live key, shown on this answer only.</summary>
    public MerchantAdminEndpoints.ApprovedMerchantView? LiveKey { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        var subject = await MerchantAdminEndpoints.GetAsync(id, Service<MerchantService>(), Aborted);
        if (!subject.Ok)
        {
            Missing = subject.Refusal;
            Response.StatusCode = subject.Status;
            return Page();
        }

        Subject = subject.Value;
        if (Can(AdminRoles.MerchantFinances))
        {
            Fees = (await FeeAdminEndpoints.MerchantRulesAsync(id, db, Aborted)).Value?.Data ?? [];
        }

        // Bank accounts are read through the merchant's own list, once per mode: the operator sees what the merchant sees.
        foreach (var mode in new[] { Mode.Test, Mode.Live })
        {
            BankAccounts.AddRange((await BankAccountEndpoints.ListAsync(ListRequest.Of(), new MerchantContext(id, mode, "dashboard:operator"), db, Aborted)).Value?.Data ?? []);
        }

        Users = (await MerchantUserEndpoints.ListAsync(id, db, Aborted)).Value?.Data ?? [];
        return Page();
    }

    public Task<IActionResult> OnPostStatusAsync(string id, string status, string? reason) => WithReasonAsync(AdminRoles.ManageMerchants, reason, async form =>
    {
        var (db, merchants, audit, clock) = (Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<TimeProvider>());
        if (status == "approve")
        {
            var approved = await MerchantAdminEndpoints.ApproveAsync(id, form, Actor, db, merchants, audit, clock, Aborted);
            if (!approved.Ok)
            {
                return Refused(approved.Refusal);
            }

            LiveKey = approved.Value;
            Flash = "Merchant approved for live mode.";
            return await OnGetAsync(id);
        }

        var result = status == "suspend"
            ? await MerchantAdminEndpoints.SuspendAsync(id, form, Actor, db, merchants, audit, Service<MerchantAuthenticator>(), clock, Aborted)
            : await MerchantAdminEndpoints.ReactivateAsync(id, form, Actor, db, merchants, audit, Service<MerchantAuthenticator>(), clock, Aborted);
        return Done(result, status == "suspend" ? "Merchant suspended." : "Merchant reactivated.");
    });

    public async Task<IActionResult> OnPostLimitAsync(string id, long? daily_cashout_limit, bool no_limit, string? reason)
    {
        if (!Can(AdminRoles.MerchantFinances))
        {
            return Denied();
        }

        // "No limit" is an explicit null, which a form cannot carry: the body is made with it set.
        var values = Body(("daily_cashout_limit", daily_cashout_limit), ("reason", reason));
        if (no_limit)
        {
            values["daily_cashout_limit"] = null;
        }

        var fields = new Fields(System.Text.Json.JsonSerializer.SerializeToElement(values, ApiJson.Options));
        if (MerchantLimitsBody.Read(fields) is not { } body)
        {
            return Refused(Refusal.Invalid(fields.Errors));
        }

        var result = await MerchantAdminEndpoints.SetLimitsAsync(
            id, Body<MerchantLimitsBody>.Of(body), Actor, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<FourEyes>(), Service<TimeProvider>(), Aborted);
        return Changed(result, "Daily cash-out limit saved.");
    }

    public async Task<IActionResult> OnPostFeeAsync(string id, string method, long? flat, long? basis_points, string? reason)
    {
        if (!Can(AdminRoles.MerchantFinances))
        {
            return Denied();
        }

        var form = FormBody<FeeRuleBody>(("flat", flat), ("basis_points", basis_points), ("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var result = await FeeAdminEndpoints.SetRuleAsync(
            id, method, form.Value, Actor, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<FeeResolver>(), Service<TimeProvider>(), Aborted);
        return Done(result, $"Fee for {method} saved.");
    }

    public Task<IActionResult> OnPostVerifyAsync(string id, string bank_account, string? reason) => WithReasonAsync(AdminRoles.ManageMerchants, reason, async form =>
        Changed(
            await MerchantAdminEndpoints.VerifyBankAccountAsync(
                id, bank_account, form, Actor, Service<NpgsqlDataSource>(), Service<AuditLog>(), Service<FourEyes>(), Service<TimeProvider>(), Aborted),
            "Bank account verified."));

    public async Task<IActionResult> OnPostUserAsync(string id, string? email, string? reason)
    {
        if (!Can(AdminRoles.ManageMerchants))
        {
            return Denied();
        }

        var form = FormBody<InviteMerchantUserBody>(("email", email), ("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var result = await MerchantUserEndpoints.CreateAsync(
            id, form.Value, Actor, Service<NpgsqlDataSource>(), Service<MerchantService>(), Service<AuditLog>(), Service<MerchantInvitations>(), Service<TimeProvider>(), Aborted);
        return Done(result, $"{email} is invited: the link to set a password went to that address.");
    }

    /// <summary>A change that may wait for a second admin: 202 says it is a request, not yet made.</summary>
    private IActionResult Changed<T>(Result<T> result, string success) =>
        Done(result, result.Status == 202 ? RequestedMessage : success);

    private const string RequestedMessage = "Requested: another admin must approve this change under Change requests.";

    /// <summary>A change the role may make whose body is only its reason: the reason read strictly, then the change.</summary>
    private async Task<IActionResult> WithReasonAsync(string permission, string? reason, Func<Body<ReasonBody>, Task<IActionResult>> change)
    {
        if (!Can(permission))
        {
            return Denied();
        }

        var form = FormBody<ReasonBody>(("reason", reason));
        return form.Ok ? await change(form.Value) : Refused(form.Refusal);
    }
}

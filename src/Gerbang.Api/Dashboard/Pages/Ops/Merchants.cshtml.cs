using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>Every merchant, by status; a new merchant's first test key is shown once, on this answer only.</summary>
public sealed class MerchantsModel : DashboardPage
{
    public IReadOnlyList<MerchantView> Merchants { get; private set; } = [];

    public bool HasMore { get; private set; }

    public MerchantAdminEndpoints.CreatedMerchantView? Created { get; private set; }

    public async Task OnGetAsync(string? status, string? starting_after)
    {
        var list = await MerchantAdminEndpoints.ListAsync(ListRequest.Of(("status", status), ("starting_after", starting_after), ("limit", "50")), Service<NpgsqlDataSource>(), Aborted);
        Merchants = list.Value?.Data ?? [];
        HasMore = list.Value?.HasMore ?? false;
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? support_email, string? reason)
    {
        if (!Can(AdminRoles.ManageMerchants))
        {
            return Denied();
        }

        var form = FormBody<CreateMerchantBody>(("name", name), ("support_email", support_email), ("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var created = await MerchantAdminEndpoints.CreateAsync(form.Value, Actor, Service<MerchantService>(), Service<AuditLog>(), Aborted);
        if (!created.Ok)
        {
            return Refused(created.Refusal);
        }

        Created = created.Value;
        await OnGetAsync(null, null);
        return Page();
    }
}

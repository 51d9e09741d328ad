using Gerbang.Api.Admin;
using Gerbang.Api.Merchants;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>Every merchant, by status; a new merchant's first test key is shown once, on this answer only.</summary>
public sealed class MerchantsModel : DashboardPage
{
    public ApiResult Merchants { get; private set; } = null!;

    public ApiResult? Created { get; private set; }

    public async Task OnGetAsync(string? status, string? starting_after) =>
        Merchants = await CallAsync(h => MerchantAdminEndpoints.ListAsync(h, Service<NpgsqlDataSource>()), query: new Dictionary<string, string?> { ["status"] = status, ["starting_after"] = starting_after, ["limit"] = "50" });

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? support_email, string? reason)
    {
        if (!Can(AdminRoles.ManageMerchants))
        {
            return Denied();
        }

        Created = await CallAsync(h => MerchantAdminEndpoints.CreateAsync(h, Service<MerchantService>(), Service<AuditLog>()), Body(("name", name), ("support_email", support_email), ("reason", reason)));
        if (!Created.Ok)
        {
            return Done(Created, "");
        }

        await OnGetAsync(null, null);
        return Page();
    }
}

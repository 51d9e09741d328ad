using Gerbang.Api.Admin;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Routing;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>Each provider's routing settings and the live health of its lanes; super_admin and ops change them.</summary>
public sealed class ProvidersModel : DashboardPage
{
    public ApiResult Providers { get; private set; } = null!;

    public async Task OnGetAsync() =>
        Providers = await CallAsync(_ => Task.FromResult(ProviderRoutingEndpoints.List(Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>())));

    public async Task<IActionResult> OnPostRoutingAsync(string name, bool enabled, long? weight, long? priority, string? merchant, string? reason)
    {
        if (!Can(AdminRoles.ManageProviders))
        {
            return Denied();
        }

        var result = await CallAsync(
            h => ProviderRoutingEndpoints.PatchAsync(name, h, Service<NpgsqlDataSource>(), Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>(), Service<AuditLog>(), Service<TimeProvider>()),
            Body(("enabled", enabled), ("weight", weight), ("priority", priority), ("merchant", merchant), ("reason", reason)));
        return Done(result, $"Routing for {name} saved.");
    }
}

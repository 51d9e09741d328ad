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
    public IReadOnlyList<ProviderRoutingEndpoints.ProviderView> Providers { get; private set; } = [];

    public void OnGet() =>
        Providers = ProviderRoutingEndpoints.List(Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>()).Value?.Data ?? [];

    public async Task<IActionResult> OnPostRoutingAsync(string name, bool enabled, long? weight, long? priority, string? merchant, string? reason)
    {
        if (!Can(AdminRoles.ManageProviders))
        {
            return Denied();
        }

        var form = FormBody<ProviderRoutingBody>(("enabled", enabled), ("weight", weight), ("priority", priority), ("merchant", merchant), ("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var result = await ProviderRoutingEndpoints.PatchAsync(
            name, form.Value, Actor, Service<NpgsqlDataSource>(), Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>(), Service<AuditLog>(), Service<TimeProvider>(), Aborted);
        return Done(result, $"Routing for {name} saved.");
    }
}

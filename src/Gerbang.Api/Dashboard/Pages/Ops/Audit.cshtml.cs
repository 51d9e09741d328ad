using Gerbang.Api.Admin;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The audit log (super_admin, as in the admin API); reading it is itself audited.</summary>
public sealed class AuditModel : DashboardPage
{
    public ApiResult Entries { get; private set; } = null!;

    public async Task OnGetAsync(string? action, string? target_id) =>
        Entries = await CallAsync(h => AuditEndpoints.ListAsync(h, Service<NpgsqlDataSource>(), Service<AuditLog>()), query: new Dictionary<string, string?> { ["action"] = action, ["target_id"] = target_id, ["limit"] = "100" });
}

using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The audit log (super_admin, as in the admin API); reading it is itself audited.</summary>
public sealed class AuditModel : DashboardPage
{
    public IReadOnlyList<AuditEndpoints.AuditView> Entries { get; private set; } = [];

    public async Task OnGetAsync(string? action, string? target_id) =>
        Entries = (await AuditEndpoints.ListAsync(
            ListRequest.Of(("action", action), ("target_id", target_id), ("limit", "100")), Actor, Service<NpgsqlDataSource>(), Service<AuditLog>(), Aborted)).Value?.Data ?? [];
}

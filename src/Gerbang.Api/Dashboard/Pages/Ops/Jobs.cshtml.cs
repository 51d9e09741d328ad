using Gerbang.Api.Admin;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The background queues.</summary>
public sealed class JobsModel : DashboardPage
{
    public IReadOnlyList<OperationsViewEndpoints.JobQueueView> Queues { get; private set; } = [];

    public async Task OnGetAsync() =>
        Queues = (await OperationsViewEndpoints.JobsAsync(Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted)).Value?.Queues ?? [];
}

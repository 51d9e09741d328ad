using Gerbang.Api.Admin;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The background queues.</summary>
public sealed class JobsModel : DashboardPage
{
    public ApiResult Jobs { get; private set; } = null!;

    public async Task OnGetAsync() => Jobs = await CallAsync(h => OperationsViewEndpoints.JobsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>()));
}

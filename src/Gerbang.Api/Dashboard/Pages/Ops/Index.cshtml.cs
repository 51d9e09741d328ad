using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Routing;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The operators' overview: volume and success per provider, provider circuits, and the queues.</summary>
public sealed class IndexModel : DashboardPage
{
    public PaymentChart? Chart { get; private set; }

    public IReadOnlyList<OperationsViewEndpoints.JobQueueView> Jobs { get; private set; } = [];

    public IReadOnlyList<ProviderRoutingEndpoints.ProviderView> Providers { get; private set; } = [];

    /// <summary>Payouts sent long ago whose outcome the provider has not confirmed: for a person to check.</summary>
    public IReadOnlyList<OperationsViewEndpoints.AdminDisbursementView> InDoubt { get; private set; } = [];

    public bool Livemode { get; private set; }

    public async Task OnGetAsync(string? livemode)
    {
        Livemode = livemode != "false";
        var stats = await PaymentStatsEndpoints.StatsAsync(
            ListRequest.Of(("livemode", Livemode ? "true" : "false"), ("hours", "24")), Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted);
        Chart = stats.Ok ? new PaymentChart(stats.Value) : null;
        Jobs = (await OperationsViewEndpoints.JobsAsync(Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted)).Value?.Queues ?? [];
        Providers = ProviderRoutingEndpoints.List(Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>()).Value?.Data ?? [];
        InDoubt = (await OperationsViewEndpoints.DisbursementsAsync(
            ListRequest.Of(("in_doubt", "true"), ("livemode", Livemode ? "true" : "false"), ("limit", "20")),
            Service<NpgsqlDataSource>(), Service<TimeProvider>(), Service<Microsoft.Extensions.Options.IOptions<Disbursements.PayoutOptions>>(), Aborted)).Value?.Data ?? [];
    }
}

using Gerbang.Api.Admin;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Routing;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The operators' overview: volume and success per provider, provider circuits, and the queues.</summary>
public sealed class IndexModel : DashboardPage
{
    public ApiResult Stats { get; private set; } = null!;

    public PaymentChart? Chart { get; private set; }

    public ApiResult Jobs { get; private set; } = null!;

    public ApiResult Providers { get; private set; } = null!;

    /// <summary>Payouts sent long ago whose outcome the provider has not confirmed: for a person to check.</summary>
    public ApiResult InDoubt { get; private set; } = null!;

    public bool Livemode { get; private set; }

    public async Task OnGetAsync(string? livemode)
    {
        Livemode = livemode != "false";
        Stats = await CallAsync(h => PaymentStatsEndpoints.StatsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>()), query: new Dictionary<string, string?> { ["livemode"] = Livemode ? "true" : "false", ["hours"] = "24" });
        Chart = Stats.Ok ? new PaymentChart(Stats.Body) : null;
        Jobs = await CallAsync(h => OperationsViewEndpoints.JobsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>()));
        Providers = await CallAsync(_ => Task.FromResult(ProviderRoutingEndpoints.List(Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>())));
        InDoubt = await CallAsync(
            h => OperationsViewEndpoints.DisbursementsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Service<Microsoft.Extensions.Options.IOptions<Disbursements.PayoutOptions>>()),
            query: new Dictionary<string, string?> { ["in_doubt"] = "true", ["livemode"] = Livemode ? "true" : "false", ["limit"] = "20" });
    }
}

using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Routing;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The operators' overview: volume and success per provider, provider circuits, and the queues.</summary>
public sealed class IndexModel : DashboardPage
{
    public ApiResult Stats { get; private set; } = null!;

    public PaymentChart? Chart { get; private set; }

    public IReadOnlyList<OperationsViewEndpoints.JobQueueView> Jobs { get; private set; } = [];

    public ApiResult Providers { get; private set; } = null!;

    /// <summary>Payouts sent long ago whose outcome the provider has not confirmed: for a person to check.</summary>
    public IReadOnlyList<OperationsViewEndpoints.AdminDisbursementView> InDoubt { get; private set; } = [];

    public bool Livemode { get; private set; }

    public async Task OnGetAsync(string? livemode)
    {
        Livemode = livemode != "false";
        Stats = await CallAsync(h => PaymentStatsEndpoints.StatsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>()), query: new Dictionary<string, string?> { ["livemode"] = Livemode ? "true" : "false", ["hours"] = "24" });
        Chart = Stats.Ok ? new PaymentChart(Stats.Body) : null;
        Jobs = (await OperationsViewEndpoints.JobsAsync(Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted)).Value?.Queues ?? [];
        Providers = await CallAsync(_ => Task.FromResult(ProviderRoutingEndpoints.List(Service<ProviderRegistry>(), Service<RoutingSettings>(), Service<ProviderHealth>())));
        InDoubt = (await OperationsViewEndpoints.DisbursementsAsync(
            ListRequest.Of(("in_doubt", "true"), ("livemode", Livemode ? "true" : "false"), ("limit", "20")),
            Service<NpgsqlDataSource>(), Service<TimeProvider>(), Service<Microsoft.Extensions.Options.IOptions<Disbursements.PayoutOptions>>(), Aborted)).Value?.Data ?? [];
    }
}

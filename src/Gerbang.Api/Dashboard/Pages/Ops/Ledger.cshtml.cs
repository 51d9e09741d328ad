using Gerbang.Api.Admin;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The ledger for finance: what each provider holds, every account's balance, the latest entries.</summary>
public sealed class LedgerModel : DashboardPage
{
    public ApiResult ProviderBalances { get; private set; } = null!;

    public ApiResult Accounts { get; private set; } = null!;

    public ApiResult Entries { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        var db = Service<NpgsqlDataSource>();
        ProviderBalances = await CallAsync(h => ProviderBalanceEndpoints.ListAsync(h, db));
        Accounts = await CallAsync(h => OperationsViewEndpoints.AccountsAsync(h, db), query: new Dictionary<string, string?>());
        Entries = await CallAsync(h => OperationsViewEndpoints.EntriesAsync(h, db), query: new Dictionary<string, string?> { ["limit"] = "30" });
    }
}

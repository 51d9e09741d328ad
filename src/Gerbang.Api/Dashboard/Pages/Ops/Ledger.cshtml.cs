using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>The ledger for finance: what each provider holds, every account's balance, the latest entries.</summary>
public sealed class LedgerModel : DashboardPage
{
    public IReadOnlyList<ProviderBalanceEndpoints.ProviderBalanceView> ProviderBalances { get; private set; } = [];

    public IReadOnlyList<OperationsViewEndpoints.AccountView> Accounts { get; private set; } = [];

    public IReadOnlyList<OperationsViewEndpoints.EntryView> Entries { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var db = Service<NpgsqlDataSource>();
        ProviderBalances = (await ProviderBalanceEndpoints.ListAsync(db, Aborted)).Value?.Data ?? [];
        Accounts = (await OperationsViewEndpoints.AccountsAsync(ListRequest.Of(), db, Aborted)).Value?.Data ?? [];
        Entries = (await OperationsViewEndpoints.EntriesAsync(ListRequest.Of(("limit", "30")), db, Aborted)).Value?.Data ?? [];
    }
}

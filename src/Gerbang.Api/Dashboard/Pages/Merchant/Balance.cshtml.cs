using Gerbang.Api.Http;
using Gerbang.Api.Ledger;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The merchant's balance and every movement of it, newest first.</summary>
public sealed class BalanceModel : DashboardPage
{
    public BalanceEndpoints.BalanceView? Balance { get; private set; }

    public ListQuery.ListView<BalanceEndpoints.BalanceTransactionView>? Transactions { get; private set; }

    public async Task OnGetAsync(string? starting_after)
    {
        var db = Service<NpgsqlDataSource>();
        Balance = (await BalanceEndpoints.BalanceAsync(Caller, db, Aborted)).Value;
        Transactions = (await BalanceEndpoints.TransactionsAsync(ListRequest.Of(("limit", "50"), ("starting_after", starting_after)), Caller, db, Aborted)).Value;
    }
}

using Gerbang.Api.Ledger;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The merchant's balance and every movement of it, newest first.</summary>
public sealed class BalanceModel : DashboardPage
{
    public ApiResult Balance { get; private set; } = null!;

    public ApiResult Transactions { get; private set; } = null!;

    public async Task OnGetAsync(string? starting_after)
    {
        var db = Service<NpgsqlDataSource>();
        Balance = await CallAsync(h => BalanceEndpoints.BalanceAsync(h, db));
        Transactions = await CallAsync(h => BalanceEndpoints.TransactionsAsync(h, db), query: new Dictionary<string, string?> { ["limit"] = "50", ["starting_after"] = starting_after });
    }
}

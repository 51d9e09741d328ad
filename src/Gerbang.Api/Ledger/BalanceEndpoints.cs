using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Ledger;

/// <summary><c>/v1/balance</c> and <c>/v1/balance_transactions</c>, read from the ledger.</summary>
public static class BalanceEndpoints
{
    public static readonly ListFilter[] TransactionFilters =
    [
        new("type", "What moved the balance.", ["payment", "fee", "refund", "refund_reversal", "disbursement", "disbursement_reversal", "adjustment"]),
        new("source", "The id of the payment, refund or payout behind it."),
        new("currency", "The currency.", Currency.Codes),
    ];

    public static IServiceCollection AddLedger(this IServiceCollection services)
    {
        services.AddSingleton<LedgerWriter>();
        return services;
    }

    public static void MapBalance(this RouteGroupBuilder v1)
    {
        v1.MapGet("/balance", BalanceAsync).WithTags("balance").Doc("getBalance", "Get the balance", "Available (can be paid out), pending (paid, not yet settled) and reserved (held for payouts in flight), per currency.")
            .Returns<BalanceView>();
        var transactions = v1.MapGroup("/balance_transactions").WithTags("balance");
        transactions.MapGet("", TransactionsAsync).Doc("listBalanceTransactions", "List balance transactions", "Every movement of the balance, newest first.").Lists<BalanceTransactionView>(TransactionFilters);
        transactions.MapGet("/{id}", TransactionAsync).Doc("getBalanceTransaction", "Get a balance transaction").Returns<BalanceTransactionView>().NotFound();
    }

    public sealed record AmountView(long Amount, string Currency);

    public sealed record BalanceView(string Object, bool Livemode, List<AmountView> Available, List<AmountView> Pending, List<AmountView> Reserved);

    public sealed record BalanceTransactionView(string Id, string Object, bool Livemode, long Amount, string Currency, string Type, string? Source, long BalanceAfter, string CreatedAt);

    /// <summary>Each balance is a sum over at most 16 shard rows of one account: constant work per read.</summary>
    internal static async Task<Result<BalanceView>> BalanceAsync(MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select a.kind, a.currency, -coalesce(sum(b.balance), 0)
            from ledger_accounts a left join account_balances b on b.account_id = a.id
            where a.owner = $1 and a.mode = $2 and a.kind in ('merchant_available', 'merchant_pending', 'merchant_reserved')
            group by a.kind, a.currency
            order by a.currency
            """);
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var view = new BalanceView("balance", merchant.Livemode, [], [], []);
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var target = reader.GetString(0) switch
                {
                    "merchant_available" => view.Available,
                    "merchant_pending" => view.Pending,
                    _ => view.Reserved,
                };
                target.Add(new AmountView(reader.GetInt64(2), reader.GetString(1)));
            }
        }

        foreach (var list in new[] { view.Available, view.Pending, view.Reserved })
        {
            if (list.Count == 0)
            {
                list.Add(new AmountView(0, "IDR"));
            }
        }

        return view;
    }

    private const string TransactionColumns = "id, amount, currency, type, source, balance_after, created_at";

    internal static Task<Result<ListQuery.ListView<BalanceTransactionView>>> TransactionsAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.ForMerchantAsync(
            request, merchant, db, $"select {TransactionColumns} from balance_transactions where merchant_id = $1 and mode = $2", "balance_transactions",
            TransactionFilters, r => Read(r, merchant.Livemode), t => t, "/v1/balance_transactions", cancellationToken);

    internal static async Task<Result<BalanceTransactionView>> TransactionAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {TransactionColumns} from balance_transactions where merchant_id = $1 and mode = $2 and id = $3");
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader, merchant.Livemode) : Refusal.NotFound("balance transaction");
    }

    private static BalanceTransactionView Read(NpgsqlDataReader reader, bool livemode) => new(
        reader.GetString(0), "balance_transaction", livemode, reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(6)));
}

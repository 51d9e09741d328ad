using System.Text;
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
    internal static async Task<ApiResponse> BalanceAsync(HttpContext http, NpgsqlDataSource db)
    {
        var merchant = MerchantContext.Of(http);
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
        await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
        {
            while (await reader.ReadAsync(http.RequestAborted))
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

        return ApiResponse.Ok(view);
    }

    internal static async Task<ApiResponse> TransactionsAsync(HttpContext http, NpgsqlDataSource db)
    {
        var merchant = MerchantContext.Of(http);
        var query = ListQuery.Parse(http.Request, TransactionFilters, out var problem);
        if (query is null)
        {
            return problem!;
        }

        await using var cmd = db.CreateCommand();
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var sql = new StringBuilder("select id, amount, currency, type, source, balance_after, created_at from balance_transactions where merchant_id = $1 and mode = $2");
        foreach (var (name, value) in query.Filters)
        {
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" and {name} = ${ListQuery.Add(cmd, value)}");
        }

        query.Apply(sql, cmd, "balance_transactions");
        cmd.CommandText = sql.ToString();
        var (page, hasMore) = query.Page(await ReadAsync(cmd, merchant.Livemode, http.RequestAborted));
        if (await query.MissingCursorAsync(db, "balance_transactions", merchant.MerchantId, merchant.ModeWire, page.Count, http.RequestAborted) is { } missing)
        {
            return missing.Answer();
        }

        return ListQuery.Answer(page, hasMore, "/v1/balance_transactions");
    }

    internal static async Task<ApiResponse> TransactionAsync(string id, HttpContext http, NpgsqlDataSource db)
    {
        var merchant = MerchantContext.Of(http);
        await using var cmd = db.CreateCommand("select id, amount, currency, type, source, balance_after, created_at from balance_transactions where merchant_id = $1 and mode = $2 and id = $3");
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = id });
        var rows = await ReadAsync(cmd, merchant.Livemode, http.RequestAborted);
        return rows.Count == 0 ? Problems.NotFound("balance transaction") : ApiResponse.Ok(rows[0]);
    }

    private static async Task<List<BalanceTransactionView>> ReadAsync(NpgsqlCommand cmd, bool livemode, CancellationToken cancellationToken)
    {
        var rows = new List<BalanceTransactionView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new BalanceTransactionView(
                reader.GetString(0), "balance_transaction", livemode, reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(6))));
        }

        return rows;
    }
}

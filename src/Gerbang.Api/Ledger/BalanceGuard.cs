using Npgsql;

namespace Gerbang.Api.Ledger;

/// <summary>
/// The one way to take money out of an account: lock the account's first shard row as its debit
/// lock, then sum every shard in a new statement, whose fresh snapshot sees every debit committed
/// before the lock was granted. Credits never take the lock, so a busy merchant's incoming payments do
/// not queue behind it; they can only make the balance read here too low, never too high.
/// </summary>
public static class BalanceGuard
{
    /// <summary>The account's balance in its natural sign (what a merchant can spend), with its debit lock held.</summary>
    public static async Task<long> LockAndReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long accountId, bool creditNormal, CancellationToken cancellationToken)
    {
        await using (var ensure = new NpgsqlCommand("insert into account_balances (account_id, shard, balance) values ($1, 0, 0) on conflict do nothing", conn, tx))
        {
            ensure.Parameters.Add(new() { Value = accountId });
            await ensure.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var lockRow = new NpgsqlCommand("select 1 from account_balances where account_id = $1 and shard = 0 for update", conn, tx))
        {
            lockRow.Parameters.Add(new() { Value = accountId });
            await lockRow.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var sum = new NpgsqlCommand("select coalesce(sum(balance), 0)::bigint from account_balances where account_id = $1", conn, tx);
        sum.Parameters.Add(new() { Value = accountId });
        var raw = (long)(await sum.ExecuteScalarAsync(cancellationToken))!;
        return creditNormal ? -raw : raw;
    }
}

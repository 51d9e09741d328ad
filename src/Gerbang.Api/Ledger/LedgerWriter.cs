using System.Collections.Concurrent;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Npgsql;

namespace Gerbang.Api.Ledger;

/// <summary>
/// Writes ledger entries into the caller's batch. Account rows are created on first use (idempotently,
/// outside the caller's transaction) and their ids cached; the database checks balance and immutability.
/// </summary>
public sealed class LedgerWriter(NpgsqlDataSource dataSource)
{
    private readonly ConcurrentDictionary<AccountRef, long> _accounts = new();

    public async Task<long> AccountIdAsync(AccountRef account, CancellationToken cancellationToken)
    {
        if (_accounts.TryGetValue(account, out var id))
        {
            return id;
        }

        await using var cmd = dataSource.CreateCommand("""
            with ins as (
                insert into ledger_accounts (kind, mode, currency, owner) values ($1, $2, $3, $4)
                on conflict (kind, mode, currency, owner) do nothing returning id)
            select id from ins
            union all
            select id from ledger_accounts where kind = $1 and mode = $2 and currency = $3 and owner = $4
            limit 1
            """);
        cmd.Parameters.Add(new() { Value = account.Kind.ToWire() });
        cmd.Parameters.Add(new() { Value = account.Mode.ToWire() });
        cmd.Parameters.Add(new() { Value = account.Currency.Code });
        cmd.Parameters.Add(new() { Value = account.Owner ?? "" });
        // A concurrent creator can commit between our insert and our read; the statement's snapshot
        // then sees neither, so ask again with a fresh snapshot.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await cmd.ExecuteScalarAsync(cancellationToken) is long found)
            {
                _accounts[account] = found;
                return found;
            }
        }

        throw new InvalidOperationException($"Ledger account {account.Kind.ToWire()} could not be created or found.");
    }

    /// <summary>Creates (once) and caches the accounts a later <see cref="Add"/> will post to.</summary>
    public async Task PrepareAsync(IEnumerable<AccountRef> accounts, CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            await AccountIdAsync(account, cancellationToken);
        }
    }

    /// <summary>
    /// Adds <paramref name="entry"/> to <paramref name="batch"/>. Its unique reference makes a second
    /// write of the same movement fail the whole batch, so a movement is posted once or not at all.
    /// </summary>
    public void Add(NpgsqlBatch batch, LedgerEntry entry, string? source, DateTimeOffset now)
    {
        var entryId = Ids.New(Ids.LedgerEntry);
        var insertEntry = new NpgsqlBatchCommand("insert into ledger_entries (id, reference, description, created_at) values ($1, $2, $3, $4)");
        insertEntry.Parameters.Add(new() { Value = entryId });
        insertEntry.Parameters.Add(new() { Value = entry.Reference });
        insertEntry.Parameters.Add(new() { Value = entry.Description });
        insertEntry.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(insertEntry);

        foreach (var posting in entry.Postings)
        {
            if (!_accounts.TryGetValue(posting.Account, out var accountId))
            {
                // Creating it here would take a second pooled connection while the caller's
                // transaction holds one: under load that starves the pool. Prepare accounts first.
                throw new InvalidOperationException($"Ledger account {posting.Account.Kind.ToWire()} was not prepared before the transaction.");
            }

            var merchantFacing = posting.Account.Kind == AccountKind.MerchantAvailable && posting.BalanceType is not null;
            var insert = new NpgsqlBatchCommand("""
                insert into ledger_postings (entry_id, account_id, amount, currency, public_id, balance_type, source, merchant_id, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """);
            insert.Parameters.Add(new() { Value = entryId });
            insert.Parameters.Add(new() { Value = accountId });
            insert.Parameters.Add(new() { Value = posting.Amount });
            insert.Parameters.Add(new() { Value = posting.Account.Currency.Code });
            insert.Parameters.Add(new() { Value = merchantFacing ? Ids.New(Ids.BalanceTransaction) : DBNull.Value });
            insert.Parameters.Add(new() { Value = (object?)posting.BalanceType ?? DBNull.Value });
            insert.Parameters.Add(new() { Value = (object?)source ?? DBNull.Value });
            insert.Parameters.Add(new() { Value = posting.Account.Kind is AccountKind.MerchantAvailable or AccountKind.MerchantPending or AccountKind.MerchantReserved ? posting.Account.Owner! : DBNull.Value });
            insert.Parameters.Add(new() { Value = now });
            batch.BatchCommands.Add(insert);
        }
    }
}

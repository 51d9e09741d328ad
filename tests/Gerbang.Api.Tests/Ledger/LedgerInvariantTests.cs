using Gerbang.Api.Tests.Infrastructure;
using Npgsql;

namespace Gerbang.Api.Tests.Ledger;

public sealed class LedgerInvariantTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private async Task<long> AccountAsync(string kind, string owner)
    {
        await using var cmd = gerbang.Db.CreateCommand("insert into ledger_accounts (kind, mode, currency, owner) values ($1, 'test', 'IDR', $2) on conflict (kind, mode, currency, owner) do update set owner = excluded.owner returning id");
        cmd.Parameters.Add(new() { Value = kind });
        cmd.Parameters.Add(new() { Value = owner });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_database_refuses_an_entry_whose_postings_do_not_sum_to_zero()
    {
        var clearing = await AccountAsync("provider_clearing", "simulator");
        var merchant = await AccountAsync("merchant_available", "mch_x");
        await using var conn = await gerbang.Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand($"""
            insert into ledger_entries (id, reference, description, created_at) values ('le_unbalanced', 'test:unbalanced', 't', now());
            insert into ledger_postings (entry_id, account_id, amount, currency, created_at) values ('le_unbalanced', {clearing}, 1000, 'IDR', now());
            insert into ledger_postings (entry_id, account_id, amount, currency, created_at) values ('le_unbalanced', {merchant}, -999, 'IDR', now());
            """, conn, tx);
        await cmd.ExecuteNonQueryAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => tx.CommitAsync());
        Assert.Equal("23514", error.SqlState);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from ledger_entries where id = 'le_unbalanced'"));
    }

    [Fact]
    public async Task Ledger_rows_cannot_be_changed_or_deleted_and_a_reference_is_written_once()
    {
        var clearing = await AccountAsync("provider_clearing", "simulator");
        var merchant = await AccountAsync("merchant_available", "mch_y");
        await using (var ok = gerbang.Db.CreateCommand($"""
            insert into ledger_entries (id, reference, description, created_at) values ('le_ok', 'test:once', 't', now());
            insert into ledger_postings (entry_id, account_id, amount, currency, created_at) values ('le_ok', {clearing}, 500, 'IDR', now());
            insert into ledger_postings (entry_id, account_id, amount, currency, created_at) values ('le_ok', {merchant}, -500, 'IDR', now());
            """))
        {
            await ok.ExecuteNonQueryAsync();
        }

        foreach (var sql in new[]
        {
            "update ledger_postings set amount = 1 where entry_id = 'le_ok'",
            "delete from ledger_postings where entry_id = 'le_ok'",
            "update ledger_entries set description = 'x' where id = 'le_ok'",
            "insert into ledger_entries (id, reference, description, created_at) values ('le_again', 'test:once', 't', now())",
        })
        {
            await using var cmd = gerbang.Db.CreateCommand(sql);
            await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        }

        Assert.Equal(-500, await gerbang.CountAsync("select sum(balance) from account_balances where account_id = $1", merchant));
    }

    [Fact]
    public async Task Hundreds_of_concurrent_payments_to_one_merchant_leave_its_balance_exact()
    {
        var merchant = await gerbang.NewMerchantAsync();
        const int count = 120;
        var ids = new List<string>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(20))
        {
            var created = await Task.WhenAll(chunk.Select(i => merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment($"ORDER-HOT-{i}", 100_000))));
            ids.AddRange(created.Select(c => c.Body.Str("id")));
        }

        var paid = await Task.WhenAll(ids.Select(id => Task.Run(() => merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null))));
        Assert.All(paid, p => Assert.Equal("paid", p.Body.Str("status")));

        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(count * (100_000 - 4000), balance.GetProperty("available")[0].Long("amount"));
        Assert.Equal(0, await gerbang.CountAsync("select coalesce(sum(amount), 0) from ledger_postings"));
        Assert.Equal(0, await gerbang.CountAsync("select coalesce(sum(balance), 0) from account_balances"));
        Assert.Equal(count, await gerbang.CountAsync("select count(*) from ledger_entries where reference like 'payment:%:paid'"));
    }
}

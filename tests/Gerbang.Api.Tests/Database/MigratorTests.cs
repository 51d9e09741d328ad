using System.Text;
using Gerbang.Api.Database;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gerbang.Api.Tests.Database;

public sealed class MigratorTests
{
    [Fact]
    public async Task Concurrent_migrators_apply_each_migration_once()
    {
        var cs = await EmptyDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(cs);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync()));
        Assert.Equal(Migrator.Embedded().Count, results.Sum());
        await using var count = db.CreateCommand("select count(*) from schema_migrations");
        Assert.Equal((long)Migrator.Embedded().Count, (long)(await count.ExecuteScalarAsync())!);
        Assert.Equal(0, await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync());
    }

    [Fact]
    public async Task A_changed_applied_migration_stops_the_start_up()
    {
        var cs = await EmptyDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(cs);
        var migrator = new Migrator(db, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync();
        var changed = Migrator.Embedded().Select(m => m.Version == 1
            ? m with { Sql = m.Sql + "\n-- edited", Checksum = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(m.Sql + "\n-- edited")) }
            : m).ToList();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(changed));
        Assert.Contains("changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_half_applied()
    {
        var cs = await EmptyDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(cs);
        var broken = new Migration(1, "0001_broken", "create table half (id int); select * from no_such_table;", new byte[32]);
        await Assert.ThrowsAsync<PostgresException>(() => new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync([broken]));
        await using var cmd = db.CreateCommand("select to_regclass('half') is null and not exists (select 1 from schema_migrations)");
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
    }

    private static async Task<string> EmptyDatabaseAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(await TestCluster.ServerConnectionStringAsync()) { Database = "postgres", Pooling = false };
        var name = "m_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(server.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }
}

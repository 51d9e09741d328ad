using Gerbang.Api.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, started by the same code Gerbang uses (fsync off
/// here only). The schema is migrated once into a template; each test class gets its own copy.
/// </summary>
public static class TestCluster
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartAsync);
    private static readonly SemaphoreSlim CreateGate = new(1, 1);
    private static int _databases;

    public static string DataDir { get; } = Path.Combine(Path.GetTempPath(), "gerbang-tests-" + Environment.ProcessId);

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = DataDir, Fsync = false, Database = "gerbang_template", MaxConnections = 500 });
        await using (var template = NpgsqlDataSource.Create(pg.ConnectionString))
        {
            await new Migrator(template, NullLogger<Migrator>.Instance).MigrateAsync();
        }

        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            pg.StopAsync().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return pg;
    }

    /// <summary>A fresh, migrated database; returns its connection string.</summary>
    public static async Task<string> NewDatabaseAsync()
    {
        var pg = await Cluster.Value;
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..20];
        var admin = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Database = "postgres", Pooling = false };
        await CreateGate.WaitAsync(); // CREATE DATABASE … TEMPLATE needs the template to have no other session
        try
        {
            await using var conn = new NpgsqlConnection(admin.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database {name} template gerbang_template", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        finally
        {
            CreateGate.Release();
        }

        return new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task<string> ServerConnectionStringAsync() => (await Cluster.Value).ConnectionString;
}

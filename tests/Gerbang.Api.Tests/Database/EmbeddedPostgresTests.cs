using Gerbang.Api.Database;
using Npgsql;

namespace Gerbang.Api.Tests.Database;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task A_cluster_is_created_on_first_start_and_reused_with_its_data_on_the_next()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gerbang-embedded-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var first = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = dir, Fsync = false });
            await using (var conn = new NpgsqlConnection(first.ConnectionString))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("create table kept (v int); insert into kept values (42)", conn);
                await cmd.ExecuteNonQueryAsync();
            }

            Assert.Equal("127.0.0.1", new NpgsqlConnectionStringBuilder(first.ConnectionString).Host);
            await first.StopAsync();

            var second = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = dir, Fsync = false });
            await using (var conn = new NpgsqlConnection(second.ConnectionString))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("select v from kept", conn);
                Assert.Equal(42, (int)(await cmd.ExecuteScalarAsync())!);
            }

            await second.StopAsync();
            Assert.False(File.Exists(Path.Combine(dir, "postgres", "data", "postmaster.pid")));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_data_directory_the_postgres_user_cannot_enter_gets_its_cluster_where_it_can()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // only root hands the cluster to the postgres user
        }

        var closed = Path.Combine(Path.GetTempPath(), "gerbang-closed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var dataDir = Path.Combine(closed, ".gerbang");
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = dataDir, Fsync = false });
        try
        {
            Assert.StartsWith(EmbeddedPostgres.FallbackRoot, pg.ClusterDirectory, StringComparison.Ordinal);
            Assert.Equal(pg.ClusterDirectory, File.ReadAllText(Path.Combine(dataDir, "postgres.location")).Trim());
            await using var conn = new NpgsqlConnection(pg.ConnectionString);
            await conn.OpenAsync();
        }
        finally
        {
            await pg.StopAsync();
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(pg.ClusterDirectory, recursive: true);
            Directory.Delete(closed, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_server_binaries_give_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = Path.GetTempPath(), BinDir = "/nonexistent/bin" }));
        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
    }
}

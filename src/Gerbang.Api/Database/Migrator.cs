using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Gerbang.Api.Database;

public sealed record Migration(int Version, string Name, string Sql, byte[] Checksum);

/// <summary>
/// Applies the numbered, forward-only SQL files embedded in this assembly. One instance migrates at a
/// time (an advisory lock); each applied file's SHA-256 is journaled, and an applied file that has
/// changed since stops the start-up rather than leaving the schema in an unknown state.
/// </summary>
public sealed partial class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    private const long LockKey = 0x6765_7262_616E_6701; // "gerbang" + 1

    public static IReadOnlyList<Migration> Embedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = name["Migrations.".Length..^".sql".Length];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(file[..underscore], out var version))
            {
                throw new InvalidOperationException($"Migration '{file}' must be named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            migrations.Add(new Migration(version, file, sql, SHA256.HashData(Encoding.UTF8.GetBytes(sql))));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations share version {migrations[i].Version}.");
            }
        }

        return migrations;
    }

    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => MigrateAsync(Embedded(), cancellationToken);

    public async Task<int> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await Exec(conn, $"select pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await Exec(conn, """
                create table if not exists schema_migrations (
                    version     integer primary key,
                    name        text not null,
                    checksum    bytea not null,
                    applied_at  timestamptz not null default now())
                """, cancellationToken);

            var applied = new Dictionary<int, (string Name, byte[] Checksum)>();
            await using (var cmd = new NpgsqlCommand("select version, name, checksum from schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetInt32(0)] = (reader.GetString(1), (byte[])reader[2]);
                }
            }

            foreach (var (version, (name, _)) in applied)
            {
                if (migrations.All(m => m.Version != version))
                {
                    throw new InvalidOperationException($"The database has migration {version} ({name}) that this build does not know: refusing to run an older build against a newer schema.");
                }
            }

            var count = 0;
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var done))
                {
                    if (!CryptographicOperations.FixedTimeEquals(done.Checksum, migration.Checksum))
                    {
                        throw new InvalidOperationException($"Migration {migration.Name} was changed after it was applied. Applied migrations are immutable: add a new one instead.");
                    }

                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(migration.Sql, conn, tx))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var journal = new NpgsqlCommand("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", conn, tx))
                {
                    journal.Parameters.Add(new() { Value = migration.Version });
                    journal.Parameters.Add(new() { Value = migration.Name });
                    journal.Parameters.Add(new() { Value = migration.Checksum });
                    await journal.ExecuteNonQueryAsync(cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
                LogApplied(logger, migration.Name);
                count++;
            }

            return count;
        }
        finally
        {
            await Exec(conn, $"select pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Name}")]
    private static partial void LogApplied(ILogger logger, string name);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Database;

public sealed class EmbeddedPostgresOptions
{
    public required string DataDir { get; init; }

    public string? BinDir { get; init; }

    /// <summary>Off only for throwaway test clusters: a crash would lose their data.</summary>
    public bool Fsync { get; init; } = true;

    public string Database { get; init; } = "gerbang";

    public int MaxConnections { get; init; } = 200;
}

/// <summary>
/// A PostgreSQL cluster that Gerbang owns: created with <c>initdb</c> on first start under the data
/// directory, listening on a free port of 127.0.0.1 only, with a generated password, run as the
/// <c>postgres</c> user when Gerbang runs as root (PostgreSQL refuses root), reused on the next start
/// and stopped cleanly on shutdown.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _options;
    private readonly string _binDir;
    private readonly string _root;
    private readonly string _pgData;
    private readonly bool _asPostgresUser;
    private bool _startedHere;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, string binDir)
    {
        _options = options;
        _binDir = binDir;
        _asPostgresUser = Environment.IsPrivilegedProcess;
        var dataDir = Path.GetFullPath(options.DataDir);
        _root = !_asPostgresUser || OthersCanTraverse(dataDir)
            ? Path.Combine(dataDir, "postgres")
            : Path.Combine(FallbackRoot, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDir)))[..16]);
        _pgData = Path.Combine(_root, "data");
    }

    /// <summary>Where clusters go when the data directory lies under a folder the postgres user cannot enter (such as /root).</summary>
    public const string FallbackRoot = "/var/lib/gerbang/clusters";

    /// <summary>Where the cluster's files are: under the data directory unless the postgres user could not reach it there.</summary>
    public string ClusterDirectory => _root;

    private static bool OthersCanTraverse(string path)
    {
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        var binDir = PostgresBinaries.Find(options.BinDir) ?? throw new InvalidOperationException(PostgresBinaries.MissingMessage);
        var pg = new EmbeddedPostgres(options, binDir);
        await pg.StartCoreAsync(cancellationToken);
        return pg;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.DataDir);
        Directory.CreateDirectory(_root);
        if (!_root.StartsWith(Path.GetFullPath(_options.DataDir), StringComparison.Ordinal))
        {
            // Say where the cluster went, next to the rest of the local state.
            await File.WriteAllTextAsync(Path.Combine(_options.DataDir, "postgres.location"), _root + Environment.NewLine, cancellationToken);
        }

        var passwordFile = Path.Combine(Path.GetFullPath(_options.DataDir), "postgres.password");
        if (!File.Exists(Path.Combine(_pgData, "PG_VERSION")))
        {
            await InitAsync(passwordFile, cancellationToken);
        }

        var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        var running = RunningPort();
        if (running is { } port)
        {
            Port = port;
        }
        else
        {
            Port = FreePort();
            var settings = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections={_options.MaxConnections}"
                + (_options.Fsync ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            await RunAsync("pg_ctl", ["-D", _pgData, "-l", Path.Combine(_root, "server.log"), "-o", settings, "-w", "-t", "60", "start"], cancellationToken);
            _startedHere = true;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = password,
            Database = "postgres",
        };
        await using (var conn = new NpgsqlConnection(builder.ConnectionString))
        {
            await conn.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", conn) { Parameters = { new() { Value = _options.Database } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // Text is compared byte for byte ("C"), which for UTF-8 is the code-point order C.UTF-8
                // gives, without a libc collation call per comparison on every id and key index;
                // character classes and case mapping stay Unicode-aware (C.UTF-8).
                await using var create = new NpgsqlCommand(
                    $"create database \"{_options.Database}\" template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C.UTF-8'", conn);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        builder.Database = _options.Database;
        ConnectionString = builder.ConnectionString;
    }

    private async Task InitAsync(string passwordFile, CancellationToken cancellationToken)
    {
        var password = Ids.RandomBase62(32);
        PrivateFiles.Write(passwordFile, password);

        // initdb reads the superuser password from a file the postgres user can read; it is removed at once.
        var initPasswordFile = Path.Combine(_root, ".initpw");
        PrivateFiles.Write(initPasswordFile, password);
        try
        {
            if (_asPostgresUser)
            {
                await RunRawAsync("chown", ["-R", "postgres:postgres", _root], cancellationToken);
            }

            await RunAsync("initdb", ["-D", _pgData, "-U", "postgres", "--auth=scram-sha-256", "--pwfile", initPasswordFile, "-E", "UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-instructions"], cancellationToken);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }
    }

    /// <summary>The port of a server already running on this data directory (left by an earlier run).</summary>
    private int? RunningPort()
    {
        var pidFile = Path.Combine(_pgData, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid) || !int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : port;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_startedHere && File.Exists(Path.Combine(_pgData, "postmaster.pid")))
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync("pg_ctl", ["-D", _pgData, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken);
            _startedHere = false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsync(string program, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_binDir, program);
        return _asPostgresUser
            ? RunRawAsync("runuser", ["-u", "postgres", "--", path, .. args], cancellationToken)
            : RunRawAsync(path, args, cancellationToken);
    }

    private static async Task RunRawAsync(string program, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {(await stderr).Trim()} {(await stdout).Trim()}");
        }
    }
}

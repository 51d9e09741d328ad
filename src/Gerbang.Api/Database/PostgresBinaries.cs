namespace Gerbang.Api.Database;

/// <summary>Finds the PostgreSQL server programs (<c>initdb</c>, <c>pg_ctl</c>) on this machine.</summary>
public static class PostgresBinaries
{
    public const string MissingMessage =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the server package " +
        "(Debian/Ubuntu: 'apt-get install postgresql'), set Gerbang__PostgresBinDir to the folder that holds them, " +
        "or set ConnectionStrings__Gerbang to use an existing database.";

    public static string? Find(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            return newest.Dir;
        }

        return null;
    }
}

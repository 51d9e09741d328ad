using System.Text.RegularExpressions;

namespace Gerbang.Api.Tests.Architecture;

/// <summary>
/// One writer per table: the rows of a payment, of what the ledger holds per provider transaction, and of
/// a disbursement change only in their own folder, where the invariants are kept; other features ask it.
/// </summary>
public sealed partial class TableOwnershipTests
{
    private static string Source()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gerbang.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, "src", "Gerbang.Api");
    }

    [Theory]
    [InlineData("payments", "Payments")]
    [InlineData("provider_transactions", "Payments")]
    [InlineData("disbursements", "Disbursements")]
    [InlineData("refunds", "Refunds")]
    public void Only_its_owner_writes_a_table(string table, string owner)
    {
        var root = Source();
        var writes = new Regex($@"\b(update|insert\s+into|delete\s+from)\s+{table}\b", RegexOptions.IgnoreCase);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var owned = files.Where(f => writes.IsMatch(File.ReadAllText(f))).ToList();
        Assert.NotEmpty(owned); // the owner does write it: the pattern finds writes
        var strangers = owned
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith(owner + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        Assert.True(strangers.Count == 0, $"{table} is written outside {owner}/: {string.Join(", ", strangers)}");
    }
}

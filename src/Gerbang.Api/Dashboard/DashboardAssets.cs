namespace Gerbang.Api.Dashboard;

/// <summary>The dashboard's one stylesheet, embedded in the binary.</summary>
internal static class DashboardAssets
{
    private static readonly byte[] CssBytes = Load("Dashboard.dashboard.css");

    public static IResult Css => Results.Bytes(CssBytes, "text/css; charset=utf-8");

    private static byte[] Load(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}

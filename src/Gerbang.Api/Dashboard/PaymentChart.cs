using System.Globalization;
using Gerbang.Api.Admin;

namespace Gerbang.Api.Dashboard;

/// <summary>
/// The operators' chart, drawn on the server as SVG (no script): payments per hour as bars grouped by
/// provider, and each provider's success rate per hour as a line.
/// </summary>
public sealed class PaymentChart
{
    public const int Width = 960;
    public const int BarsHeight = 160;
    public const int RateHeight = 120;
    public const int Left = 40;
    private static readonly string[] Palette = ["#0b6e4f", "#175cd3", "#b54708", "#7a2e9e", "#b42318", "#475467"];

    public PaymentChart(PaymentStatsEndpoints.StatsView stats)
    {
        var from = DateTimeOffset.Parse(stats.From, CultureInfo.InvariantCulture);
        Hours = Enumerable.Range(0, stats.Hours).Select(h => from.AddHours(h)).ToList();
        Providers = stats.Data.Select(r => r.Provider).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var r in stats.Data)
        {
            var hour = DateTimeOffset.Parse(r.Hour, CultureInfo.InvariantCulture);
            var key = (r.Provider, (int)(hour - from).TotalHours);
            var (created, paid, unpaid, volume) = Cells.GetValueOrDefault(key);
            Cells[key] = (created + r.Created, paid + r.Paid, unpaid + r.Unpaid, volume + r.VolumePaid);
        }

        MaxCount = Math.Max(1, Cells.Values.Select(c => c.Created).DefaultIfEmpty(0).Max());
    }

    public List<DateTimeOffset> Hours { get; }

    public List<string> Providers { get; }

    public Dictionary<(string Provider, int Hour), (int Created, int Paid, int Unpaid, long Volume)> Cells { get; } = [];

    public int MaxCount { get; }

    public double Slot => (double)(Width - Left - 10) / Math.Max(1, Hours.Count);

    public string Color(string provider) => Palette[Providers.IndexOf(provider) % Palette.Length];

    public (int Created, int Paid, int Unpaid, long Volume) Total(string provider) =>
        Cells.Where(c => c.Key.Provider == provider).Aggregate((0, 0, 0, 0L), (t, c) => (t.Item1 + c.Value.Created, t.Item2 + c.Value.Paid, t.Item3 + c.Value.Unpaid, t.Item4 + c.Value.Volume));

    /// <summary>The bars of one provider: x, y, width, height, and a tooltip.</summary>
    public IEnumerable<(string X, string Y, string W, string H, string Title)> Bars(string provider)
    {
        var width = Slot * 0.8 / Math.Max(1, Providers.Count);
        var index = Providers.IndexOf(provider);
        foreach (var ((p, hour), cell) in Cells.Where(c => c.Key.Provider == provider && c.Value.Created > 0))
        {
            var height = (double)cell.Created / MaxCount * (BarsHeight - 20);
            var x = Left + (hour * Slot) + (Slot * 0.1) + (index * width);
            yield return (F(x), F(BarsHeight - height), F(Math.Max(1, width - 1)), F(height), $"{p} {Hours[hour]:HH}:00 UTC: {cell.Created} payments, {cell.Paid} paid");
        }
    }

    /// <summary>The points of one provider's success-rate line (hours with decided payments only).</summary>
    public List<(string X, string Y)> RatePoints(string provider) => Cells
        .Where(c => c.Key.Provider == provider && c.Value.Paid + c.Value.Unpaid > 0)
        .OrderBy(c => c.Key.Hour)
        .Select(c => (F(Left + (c.Key.Hour * Slot) + (Slot / 2)), F(RateHeight - ((double)c.Value.Paid / (c.Value.Paid + c.Value.Unpaid) * (RateHeight - 10)))))
        .ToList();

    public static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}

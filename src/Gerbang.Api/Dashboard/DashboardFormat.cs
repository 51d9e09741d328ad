using System.Globalization;
using System.Text.Json;
using Gerbang.Api.Checkout;

namespace Gerbang.Api.Dashboard;

/// <summary>How the dashboard shows API values to people: amounts in rupiah, times in Jakarta time.</summary>
public static class DashboardFormat
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    public static string Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => v.GetRawText(),
        } : "";

    public static long Long(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static bool Flag(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static JsonElement Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    /// <summary>An amount field of <paramref name="e"/> in its currency (the <c>currency</c> field unless given).</summary>
    public static string Money(this JsonElement e, string amountField, string? currency = null) =>
        Amount(e.Long(amountField), currency ?? e.Str("currency") switch { "" => "IDR", var c => c });

    public static string Amount(long amount, string currency) => CheckoutPageEndpoints.DisplayAmount(amount, currency);

    /// <summary>An RFC 3339 time from the API as Jakarta time (WIB, no daylight saving).</summary>
    public static string When(string iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToOffset(Wib).ToString("d MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture) + " WIB"
            : iso;

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";
}

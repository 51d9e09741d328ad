namespace Gerbang.Domain;

/// <summary>
/// An ISO 4217 currency with the number of minor units the local rails use. IDR is held in whole
/// rupiah (exponent 0) because Indonesian rails do not move sen; providers that count in minor units
/// (Stripe) convert at their own boundary.
/// </summary>
public readonly record struct Currency
{
    private static readonly Dictionary<string, int> Known = new(StringComparer.Ordinal)
    {
        ["IDR"] = 0,
        ["USD"] = 2,
        ["SGD"] = 2,
        ["MYR"] = 2,
        ["PHP"] = 2,
        ["THB"] = 2,
        ["INR"] = 2,
    };

    private Currency(string code, int exponent)
    {
        Code = code;
        Exponent = exponent;
    }

    public string Code { get; }

    /// <summary>How many minor units the amount carries (0 for IDR).</summary>
    public int Exponent { get; }

    public static Currency Idr { get; } = new("IDR", 0);

    /// <summary>The codes Gerbang knows.</summary>
    public static IReadOnlyList<string> Codes { get; } = [.. Known.Keys];

    /// <summary>Accepts only upper-case codes Gerbang knows; lower case is refused on purpose.</summary>
    public static bool TryParse(string? code, out Currency currency)
    {
        if (code is not null && Known.TryGetValue(code, out var exponent))
        {
            currency = new Currency(code, exponent);
            return true;
        }

        currency = default;
        return false;
    }

    public static Currency Parse(string code) =>
        TryParse(code, out var c) ? c : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    public override string ToString() => Code;
}

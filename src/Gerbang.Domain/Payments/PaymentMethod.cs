namespace Gerbang.Domain.Payments;

/// <summary>How the customer pays.</summary>
public enum PaymentMethod
{
    Va,
    Qris,

    /// <summary>A card entered on the provider's hosted page, captured at once or later.</summary>
    Card,

    /// <summary>
    /// India's UPI, as a collect request to the customer's virtual payment address (<c>name@bank</c>),
    /// which the customer approves in a UPI app. In INR; only the simulator takes it.
    /// </summary>
    Upi,
}

/// <summary>When a card authorisation becomes a charge: at once, or when the merchant captures it.</summary>
public enum CaptureMethod
{
    Automatic,
    Manual,
}

public static class PaymentMethods
{
    public static string ToWire(this PaymentMethod method) => method switch
    {
        PaymentMethod.Va => "va",
        PaymentMethod.Qris => "qris",
        PaymentMethod.Card => "card",
        PaymentMethod.Upi => "upi",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public static bool TryParse(string? wire, out PaymentMethod method)
    {
        switch (wire)
        {
            case "va":
                method = PaymentMethod.Va;
                return true;
            case "qris":
                method = PaymentMethod.Qris;
                return true;
            case "card":
                method = PaymentMethod.Card;
                return true;
            case "upi":
                method = PaymentMethod.Upi;
                return true;
            default:
                method = default;
                return false;
        }
    }

    /// <summary>Default lifetime when the merchant gives none: 24 h for VA, 15 min for QRIS and a UPI collect request, 1 h for a card page.</summary>
    public static TimeSpan DefaultExpiry(this PaymentMethod method) => method switch
    {
        PaymentMethod.Va => TimeSpan.FromHours(24),
        PaymentMethod.Card => TimeSpan.FromHours(1),
        _ => TimeSpan.FromMinutes(15),
    };

    public static string ToWire(this CaptureMethod capture) => capture == CaptureMethod.Manual ? "manual" : "automatic";

    public static bool TryParseCapture(string? wire, out CaptureMethod capture)
    {
        capture = wire == "manual" ? CaptureMethod.Manual : CaptureMethod.Automatic;
        return wire is "manual" or "automatic";
    }

    /// <summary>
    /// A UPI virtual payment address as NPCI shapes it: a handle of 2 to 256 letters, digits, dots,
    /// hyphens or underscores, an <c>@</c>, and the payment service provider's name in letters.
    /// </summary>
    public static bool IsVpa(string? vpa)
    {
        if (vpa is null || vpa.Length > 256 + 1 + 64)
        {
            return false;
        }

        var at = vpa.IndexOf('@', StringComparison.Ordinal);
        if (at < 2 || at > 256 || at != vpa.LastIndexOf('@') || vpa.Length - at - 1 is < 2 or > 64)
        {
            return false;
        }

        return vpa.AsSpan(0, at).IndexOfAnyExcept(VpaHandle) < 0 && vpa.AsSpan(at + 1).IndexOfAnyExcept(VpaProvider) < 0;
    }

    private static readonly System.Buffers.SearchValues<char> VpaHandle =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

    private static readonly System.Buffers.SearchValues<char> VpaProvider =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>The banks a VA can be issued at, in the contract's spelling.</summary>
    public static IReadOnlyList<string> VaBanks { get; } = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb"];

    /// <summary>The banks a merchant's bank account may be at, and so the banks payouts go to.</summary>
    public static IReadOnlyList<string> AccountBanks { get; } = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb", "danamon", "btn", "ocbc"];
}

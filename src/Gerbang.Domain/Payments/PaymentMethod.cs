namespace Gerbang.Domain.Payments;

/// <summary>How the customer pays. The contract also names <c>upi</c>; it is accepted once a provider
/// in the capability table can take it.</summary>
public enum PaymentMethod
{
    Va,
    Qris,

    /// <summary>A card entered on the provider's hosted page, captured at once or later.</summary>
    Card,
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
            default:
                method = default;
                return false;
        }
    }

    /// <summary>Default lifetime when the merchant gives none: 24 h for VA, 15 min for QRIS, 1 h for a card page.</summary>
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

    /// <summary>The banks a VA can be issued at, in the contract's spelling.</summary>
    public static IReadOnlyList<string> VaBanks { get; } = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb"];

    /// <summary>The banks a merchant's bank account may be at, and so the banks payouts go to.</summary>
    public static IReadOnlyList<string> AccountBanks { get; } = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb", "danamon", "btn", "ocbc"];
}

namespace Gerbang.Domain.Payments;

/// <summary>How the customer pays. The contract also names <c>card</c> and <c>upi</c>; they are
/// accepted once a provider in the capability table can take them.</summary>
public enum PaymentMethod
{
    Va,
    Qris,
}

public static class PaymentMethods
{
    public static string ToWire(this PaymentMethod method) => method switch
    {
        PaymentMethod.Va => "va",
        PaymentMethod.Qris => "qris",
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
            default:
                method = default;
                return false;
        }
    }

    /// <summary>Default lifetime when the merchant gives none: 24 h for VA, 15 min for QRIS.</summary>
    public static TimeSpan DefaultExpiry(this PaymentMethod method) =>
        method == PaymentMethod.Va ? TimeSpan.FromHours(24) : TimeSpan.FromMinutes(15);

    /// <summary>The banks a VA can be issued at, in the contract's spelling.</summary>
    public static IReadOnlyList<string> VaBanks { get; } = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb"];
}

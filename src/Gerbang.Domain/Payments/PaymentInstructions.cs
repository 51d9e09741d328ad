namespace Gerbang.Domain.Payments;

/// <summary>What the customer needs to pay: a VA number, a QR string, a page to go to, or (UPI) the address a collect request went to.</summary>
public sealed record PaymentInstructions(
    string Type,
    string? Bank = null,
    string? VaNumber = null,
    string? BillerCode = null,
    string? QrString = null,
    string? Url = null,
    string? Vpa = null)
{
    public static PaymentInstructions Va(string bank, string number, string? billerCode = null) =>
        new("va", Bank: bank, VaNumber: number, BillerCode: billerCode);

    public static PaymentInstructions Qris(string qrString) => new("qris", QrString: qrString);

    public static PaymentInstructions Redirect(string url) => new("redirect", Url: url);

    public static PaymentInstructions Upi(string vpa) => new("upi", Vpa: vpa);
}

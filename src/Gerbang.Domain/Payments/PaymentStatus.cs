namespace Gerbang.Domain.Payments;

public enum PaymentStatus
{
    Pending,
    RequiresCapture,
    Cancelling,
    Paid,
    Failed,
    Expired,
    Cancelled,
}

public static class PaymentStatusWire
{
    public static string ToWire(this PaymentStatus status) => status switch
    {
        PaymentStatus.Pending => "pending",
        PaymentStatus.RequiresCapture => "requires_capture",
        PaymentStatus.Cancelling => "cancelling",
        PaymentStatus.Paid => "paid",
        PaymentStatus.Failed => "failed",
        PaymentStatus.Expired => "expired",
        PaymentStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? wire, out PaymentStatus status)
    {
        foreach (var candidate in Enum.GetValues<PaymentStatus>())
        {
            if (candidate.ToWire() == wire)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static PaymentStatus Parse(string wire) =>
        TryParse(wire, out var s) ? s : throw new FormatException($"Unknown payment status '{wire}'.");
}

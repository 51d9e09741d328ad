using Gerbang.Domain.Payments;

namespace Gerbang.Domain.Providers;

public enum NotificationSubject
{
    Payment,
    Refund,
    Payout,
}

/// <summary>
/// A verified provider notification, reduced to what Gerbang acts on. <see cref="EventKey"/> is the
/// provider's identity for this notification and is what duplicates are recognised by.
/// </summary>
public sealed record ProviderNotification(
    string EventKey,
    NotificationSubject Subject,
    string? OurReference,
    string ProviderReference,
    PaymentStatus? PaymentStatus,
    ProviderOperationStatus? OperationStatus,
    Money? Amount,
    string RawStatus)
{
    /// <summary>
    /// For a refund report: the provider's cumulative refunded amount on the transaction when the report
    /// carries one (Midtrans, Stripe), or the amount of the one refund it names (Xendit).
    /// </summary>
    public Money? Refunded { get; init; }

    /// <summary>For a refund report: the refund id Gerbang gave the provider, when the provider echoes it.</summary>
    public string? RefundReference { get; init; }
}

public sealed record WebhookVerification(bool IsAuthentic, string? RejectionReason, ProviderNotification? Notification)
{
    public static WebhookVerification Reject(string reason) => new(false, reason, null);

    public static WebhookVerification Accept(ProviderNotification notification) => new(true, null, notification);
}

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
    string RawStatus);

public sealed record WebhookVerification(bool IsAuthentic, string? RejectionReason, ProviderNotification? Notification)
{
    public static WebhookVerification Reject(string reason) => new(false, reason, null);

    public static WebhookVerification Accept(ProviderNotification notification) => new(true, null, notification);
}

namespace Gerbang.Api.Webhooks;

public static class EventTypes
{
    public static IReadOnlyList<string> All { get; } =
    [
        "payment.created", "payment.requires_capture", "payment.paid", "payment.overpaid", "payment.failed", "payment.expired",
        "payment.cancelled", "refund.created", "refund.succeeded", "refund.failed", "disbursement.created",
        "disbursement.succeeded", "disbursement.failed", "webhook_endpoint.test", "webhook_endpoint.disabled",
    ];
}

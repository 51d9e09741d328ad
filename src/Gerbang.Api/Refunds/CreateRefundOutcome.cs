using Gerbang.Api.Http;

namespace Gerbang.Api.Refunds;

/// <summary>A refund as asked for: all that is left when no amount is given.</summary>
public sealed record CreateRefundRequest(long? Amount, string? Reason) : IRequestBody<CreateRefundRequest>
{
    public static bool EmptyAllowed => true;

    /// <summary>Reads the body strictly (the same checks whoever asks).</summary>
    public static CreateRefundRequest? Read(Fields f)
    {
        var amount = f.Amount("amount", required: false);
        var reason = f.String("reason", required: false, maxLength: 500);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateRefundRequest(amount, reason);
    }
}

/// <summary>What asking for a refund came to.</summary>
public abstract record CreateRefundOutcome
{
    /// <summary>The refund is created (pending), the balance debited, and the provider will be asked.</summary>
    public sealed record Created(RefundView Refund) : CreateRefundOutcome;

    public sealed record PaymentMissing : CreateRefundOutcome;

    /// <summary>The method or the provider holding the money cannot refund; nothing was debited.</summary>
    public sealed record NotSupported(string Detail) : CreateRefundOutcome;

    public sealed record NotRefundable(string Status) : CreateRefundOutcome;

    public sealed record ExceedsPayment(long Refundable, string Currency) : CreateRefundOutcome;

    public sealed record InsufficientBalance(long Balance, string Currency) : CreateRefundOutcome;

    public Refusal Refusal => this switch
    {
        PaymentMissing => new(404, "resource_missing", "No such payment."),
        NotSupported n => new(422, "refund_not_supported", n.Detail),
        NotRefundable n => new(409, "payment_not_refundable", $"Only paid payments can be refunded; this one is {n.Status}."),
        ExceedsPayment e => new(422, "refund_exceeds_payment", $"At most {e.Refundable} {e.Currency} of this payment can still be refunded.", "amount"),
        InsufficientBalance b => new(422, "insufficient_balance", $"The available balance ({b.Balance} {b.Currency}) cannot cover this refund.", "amount"),
        _ => throw new InvalidOperationException($"{GetType().Name} is not a refusal."),
    };

    public static ApiResponse Answer(CreateRefundOutcome outcome) => outcome is Created c ? ApiResponse.Ok(c.Refund, 201) : outcome.Refusal.Answer();
}

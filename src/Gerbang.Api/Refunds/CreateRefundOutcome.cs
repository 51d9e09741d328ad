using Gerbang.Api.Http;
using Gerbang.Domain;

namespace Gerbang.Api.Refunds;

/// <summary>A refund as asked for: all that is left when no amount is given.</summary>
public sealed record CreateRefundRequest(long? Amount, string? Reason)
{
    /// <summary>Reads the body strictly (the same checks whoever asks).</summary>
    public static CreateRefundRequest? Read(Fields f)
    {
        var amount = f.Amount("amount", required: false);
        var reason = f.String("reason", required: false, maxLength: 500);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateRefundRequest(amount, reason);
    }

    /// <summary>The same checks for a request built in code (the dashboard's form).</summary>
    public IReadOnlyList<FieldError> Errors()
    {
        var errors = new List<FieldError>();
        if (Amount is <= 0)
        {
            errors.Add(new FieldError("amount", "amount_too_small", "amount must be greater than zero."));
        }
        else if (Amount > Money.MaxAmount)
        {
            errors.Add(new FieldError("amount", "amount_too_large", $"amount must be at most {Money.MaxAmount}."));
        }

        if (Reason is { Length: 0 or > 500 })
        {
            errors.Add(new FieldError("reason", "parameter_invalid_length", "reason must be 1 to 500 characters."));
        }

        return errors;
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

    /// <summary>A refusal as the contract states it: status, code, what happened, and the field at fault.</summary>
    public (int Status, string Code, string Detail, string? Param) Refusal => this switch
    {
        PaymentMissing => (404, "resource_missing", "No such payment.", null),
        NotSupported n => (422, "refund_not_supported", n.Detail, null),
        NotRefundable n => (409, "payment_not_refundable", $"Only paid payments can be refunded; this one is {n.Status}.", null),
        ExceedsPayment e => (422, "refund_exceeds_payment", $"At most {e.Refundable} {e.Currency} of this payment can still be refunded.", "amount"),
        InsufficientBalance b => (422, "insufficient_balance", $"The available balance ({b.Balance} {b.Currency}) cannot cover this refund.", "amount"),
        _ => throw new InvalidOperationException($"{GetType().Name} is not a refusal."),
    };

    public static ApiResponse Answer(CreateRefundOutcome outcome)
    {
        if (outcome is Created c)
        {
            return ApiResponse.Ok(c.Refund, 201);
        }

        var (status, code, detail, param) = outcome.Refusal;
        return Problems.Create(status, code, detail, param);
    }
}

using Gerbang.Api.Http;

namespace Gerbang.Api.Payments;

/// <summary>What asking to cancel a payment came to.</summary>
public abstract record CancelPaymentOutcome
{
    /// <summary>Cancelled (or a card authorisation voided): the payment as it now is.</summary>
    public sealed record Cancelled(PaymentView Payment) : CancelPaymentOutcome;

    public sealed record Missing : CancelPaymentOutcome;

    /// <summary>Not pending or requires_capture; or the provider refused and it is still <see cref="Status"/>.</summary>
    public sealed record NotCancellable(string Status, bool ProviderRefused) : CancelPaymentOutcome;

    /// <summary>The provider did not answer: the payment stays cancelling until its status or notification settles it.</summary>
    public sealed record ProviderTimeout : CancelPaymentOutcome;

    public sealed record ProviderUnavailable(string Status) : CancelPaymentOutcome;

    public Refusal Refusal => this switch
    {
        Missing => new(404, "resource_missing", "No such payment."),
        NotCancellable { ProviderRefused: true } n => new(409, "payment_not_cancellable", $"The provider refused the cancellation; the payment is still {n.Status}."),
        NotCancellable n => new(409, "payment_not_cancellable", $"Only pending or requires_capture payments can be cancelled; this one is {n.Status}."),
        ProviderTimeout => new(504, "provider_timeout", "The provider did not answer the cancellation in time; the payment stays cancelling until it does."),
        ProviderUnavailable u => new(503, "provider_unavailable", $"The provider could not be reached; the payment is still {u.Status}."),
        _ => throw new InvalidOperationException($"{GetType().Name} is not a refusal."),
    };

    public static ApiResponse Answer(CancelPaymentOutcome outcome) => outcome is Cancelled c ? ApiResponse.Ok(c.Payment) : outcome.Refusal.Answer();
}

/// <summary>What asking to capture a card authorisation came to.</summary>
public abstract record CapturePaymentOutcome
{
    public sealed record Captured(PaymentView Payment) : CapturePaymentOutcome;

    public sealed record Missing : CapturePaymentOutcome;

    /// <summary>Not a manual-capture card payment, or not waiting for capture (then <see cref="Status"/> says what it is).</summary>
    public sealed record NotCapturable(string? Status) : CapturePaymentOutcome;

    public sealed record CaptureInProgress(long Amount) : CapturePaymentOutcome;

    public sealed record ExceedsAuthorized(long Authorized) : CapturePaymentOutcome;

    /// <summary>The provider did not answer: the claim stays; the same capture may be repeated.</summary>
    public sealed record ProviderTimeout : CapturePaymentOutcome;

    public sealed record ProviderUnavailable : CapturePaymentOutcome;

    public sealed record Declined(string Message) : CapturePaymentOutcome;

    public Refusal Refusal => this switch
    {
        Missing => new(404, "resource_missing", "No such payment."),
        NotCapturable { Status: null } => new(409, "payment_not_capturable", "Only card payments created with capture_method manual are captured separately."),
        NotCapturable n => new(409, "payment_not_capturable", $"Only requires_capture payments can be captured; this one is {n.Status}."),
        CaptureInProgress p => new(409, "capture_in_progress", $"A capture of {p.Amount} is in progress; repeat that one or wait for it."),
        ExceedsAuthorized e => new(422, "capture_exceeds_authorized", $"At most {e.Authorized} was authorised.", "amount"),
        ProviderTimeout => new(504, "provider_timeout", "The provider did not answer the capture in time. Repeat the same capture; it is not taken twice."),
        ProviderUnavailable => new(503, "provider_unavailable", "The provider could not be reached; the payment still requires capture."),
        Declined d => new(422, "provider_declined", d.Message),
        _ => throw new InvalidOperationException($"{GetType().Name} is not a refusal."),
    };

    public static ApiResponse Answer(CapturePaymentOutcome outcome) => outcome is Captured c ? ApiResponse.Ok(c.Payment) : outcome.Refusal.Answer();
}

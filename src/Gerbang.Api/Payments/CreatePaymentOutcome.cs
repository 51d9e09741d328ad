using Gerbang.Api.Http;

namespace Gerbang.Api.Payments;

/// <summary>What creating a payment came to.</summary>
public abstract record CreatePaymentOutcome
{
    /// <summary>A provider issued the payment; it is stored and announced.</summary>
    public sealed record Created(PaymentView Payment) : CreatePaymentOutcome;

    /// <summary>No provider can take it (method, bank, amount or an operator's setting), or not the one pinned.</summary>
    public sealed record NoProvider(string? Pinned, string Method, string Mode) : CreatePaymentOutcome;

    /// <summary>The provider refused it for good.</summary>
    public sealed record Declined(string Message) : CreatePaymentOutcome;

    /// <summary>The provider did not answer in time; for a card nothing else is tried until it does.</summary>
    public sealed record ProviderTimeout(bool Card) : CreatePaymentOutcome;

    /// <summary>Every provider that could take it failed in a way worth retrying.</summary>
    public sealed record ProviderUnavailable : CreatePaymentOutcome;

    /// <summary>An open or paid payment has this order id.</summary>
    public sealed record OrderIdInUse(string OrderId) : CreatePaymentOutcome;

    public Refusal Refusal => this switch
    {
        NoProvider { Pinned: { } pinned } n => new(422, "no_provider_available", $"Provider '{pinned}' cannot take this {n.Method} payment in {n.Mode} mode (method, bank, amount or an operator's setting).", "provider"),
        NoProvider n => new(422, "no_provider_available", $"No provider can take this {n.Method} payment in {n.Mode} mode.", "method"),
        Declined d => new(422, "provider_declined", d.Message),
        ProviderTimeout { Card: true } => new(504, "provider_timeout", "The card provider did not answer in time, and no other provider is tried until it does. Retry with the same Idempotency-Key."),
        ProviderTimeout => new(504, "provider_timeout", "The payment provider did not answer in time. Retry with the same Idempotency-Key."),
        ProviderUnavailable => new(503, "provider_unavailable", "No payment provider could take the payment right now. Retry with the same Idempotency-Key."),
        OrderIdInUse o => new(409, "order_id_in_use", $"A payment for order_id '{o.OrderId}' is still open.", "order_id"),
        _ => throw new InvalidOperationException($"{GetType().Name} is not a refusal."),
    };

    /// <summary>The contract's answer to each outcome.</summary>
    public static ApiResponse Answer(CreatePaymentOutcome outcome) => outcome is Created c ? ApiResponse.Ok(c.Payment, 201) : outcome.Refusal.Answer();
}

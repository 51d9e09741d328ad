using Gerbang.Domain.Payments;

namespace Gerbang.Domain.Providers;

/// <summary>
/// What Gerbang needs from a payment provider. Every call returns a <see cref="ProviderResult{T}"/>:
/// a decline is a normal answer, and an outage says whether the provider may have acted anyway.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The provider's name in the API (<c>simulator</c>, <c>midtrans</c>, …).</summary>
    string Name { get; }

    /// <summary>What this provider can take: methods, banks, currencies and amount limits.</summary>
    IReadOnlyList<ProviderCapability> Capabilities { get; }

    Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken);

    Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken);

    /// <summary>Cancels a pending payment, or voids a card authorisation that was not captured.</summary>
    Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken);

    /// <summary>
    /// Captures an authorised card payment, wholly or partly (the rest is released). Repeating the same
    /// capture is safe: providers that take an idempotency key get the attempt's.
    /// </summary>
    Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken);

    Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken);

    /// <summary>Whether a payment taken by <paramref name="method"/> can be refunded here. No provider refunds a VA.</summary>
    bool CanRefund(PaymentMethod method) => method != PaymentMethod.Va;

    /// <summary>
    /// Pays out to a bank account. The disbursement id is the provider's idempotency reference, so
    /// sending the same request again (a retry, a status check) finds the same payout and never pays twice.
    /// </summary>
    Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the provider's status endpoint about a payout it accepted (<paramref name="providerReference"/>
    /// is its own id for it). This is how an unknown outcome is learned: never by sending the payout
    /// again. A provider without such an endpoint answers an unknown outcome, so the payout stays in flight.
    /// </summary>
    Task<ProviderResult<ProviderPayout>> GetPayoutStatusAsync(string disbursementId, string providerReference, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPayout>>(new ProviderFailure(ProviderFailureKind.Timeout, "payout_status_not_supported", $"{Name} has no payout status endpoint."));

    /// <summary>The banks this provider can pay out to (bank codes as in <c>bank_accounts</c>); none by default.</summary>
    IReadOnlyCollection<string> PayoutBanks => [];

    /// <summary>
    /// Verifies an inbound notification over its raw bytes in the provider's own scheme and, only
    /// when it is authentic, parses it. Never throws for bad input.
    /// </summary>
    WebhookVerification VerifyWebhook(InboundWebhook webhook);
}

/// <summary>One try at a provider. <paramref name="AttemptId"/> doubles as the provider-side idempotency key.</summary>
public sealed record ProviderPaymentRequest(
    string AttemptId,
    string PaymentId,
    Money Amount,
    PaymentMethod Method,
    string? Bank,
    string OrderId,
    string? Description,
    string? CustomerName,
    string? CustomerEmail,
    DateTimeOffset ExpiresAt,
    Uri NotificationUrl)
{
    /// <summary>For cards: authorise only, or charge at once.</summary>
    public CaptureMethod Capture { get; init; } = CaptureMethod.Automatic;

    /// <summary>Where a provider's hosted page sends the customer back to when it is done.</summary>
    public Uri? ReturnUrl { get; init; }

    /// <summary>For UPI: the customer's virtual payment address the collect request goes to.</summary>
    public string? Vpa { get; init; }
}

public sealed record ProviderPayment(
    string ProviderReference,
    PaymentInstructions Instructions,
    DateTimeOffset ExpiresAt,
    PaymentStatus Status);

/// <summary>
/// What a provider's status endpoint says about one of its transactions: its state and the provider's
/// own cumulative amounts. <see cref="PaidAmount"/> is everything the transaction took (refunds do not
/// lower it); <see cref="RefundedAmount"/> is everything the provider has given back on it, whoever
/// started the refund. A refunded transaction stays <see cref="PaymentStatus.Paid"/>: refunds are
/// amounts, never a new state of the payment.
/// </summary>
public sealed record ProviderPaymentState(string ProviderReference, PaymentStatus Status, Money? PaidAmount, string RawStatus)
{
    public Money? RefundedAmount { get; init; }
}

public sealed record ProviderRefundRequest(string RefundId, string AttemptId, string ProviderReference, Money Amount, string? Reason);

public sealed record ProviderRefund(string ProviderReference, ProviderOperationStatus Status);

public sealed record ProviderPayoutRequest(
    string DisbursementId,
    Money Amount,
    string BankCode,
    string AccountNumber,
    string AccountHolderName,
    string? Description,
    Uri NotificationUrl);

public sealed record ProviderPayout(string ProviderReference, ProviderOperationStatus Status);

public enum ProviderOperationStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>A provider notification exactly as it arrived.</summary>
public sealed record InboundWebhook(string Path, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var v) ? v : Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

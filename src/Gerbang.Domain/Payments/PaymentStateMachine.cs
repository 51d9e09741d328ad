namespace Gerbang.Domain.Payments;

/// <summary>What a provider's report does to a payment in a given state.</summary>
public enum TransitionKind
{
    /// <summary>The report moves the payment forward.</summary>
    Apply,

    /// <summary>The report is stale or repeated; the payment stays as it is.</summary>
    Ignore,

    /// <summary>Money arrived for a payment already closed without it: paid late, credited.</summary>
    PaidLate,

    /// <summary>Money arrived again for a payment already paid: recorded as overpayment, credited.</summary>
    Overpayment,
}

/// <summary>
/// The payment lifecycle of the contract. Transitions only move forward, so duplicate and reordered
/// provider notifications can never move a payment backwards. The one exception is money: a payment
/// that was closed and then receives money becomes <c>paid</c> with <c>paid_late</c>, never dropped.
/// </summary>
public static class PaymentStateMachine
{
    public static bool IsFinal(PaymentStatus status) =>
        status is PaymentStatus.Paid or PaymentStatus.Failed or PaymentStatus.Expired or PaymentStatus.Cancelled;

    /// <param name="current">The payment's status now.</param>
    /// <param name="reported">What the provider reports.</param>
    /// <param name="chargedOnce">
    /// True for cards: a card is charged once, so money reported again on a paid card payment is the same
    /// charge (a capture and its own announcement), never an overpayment.
    /// </param>
    public static TransitionKind OnProviderReport(PaymentStatus current, PaymentStatus reported, bool chargedOnce = false)
    {
        if (reported == PaymentStatus.Paid)
        {
            return current switch
            {
                PaymentStatus.Pending or PaymentStatus.RequiresCapture or PaymentStatus.Cancelling => TransitionKind.Apply,
                PaymentStatus.Paid => chargedOnce ? TransitionKind.Ignore : TransitionKind.Overpayment,
                _ => TransitionKind.PaidLate,
            };
        }

        return (current, reported) switch
        {
            (PaymentStatus.Pending, PaymentStatus.RequiresCapture) => TransitionKind.Apply,
            (PaymentStatus.Pending or PaymentStatus.Cancelling, PaymentStatus.Failed) => TransitionKind.Apply,
            (PaymentStatus.Pending or PaymentStatus.Cancelling, PaymentStatus.Expired) => TransitionKind.Apply,
            (PaymentStatus.Pending or PaymentStatus.Cancelling or PaymentStatus.RequiresCapture, PaymentStatus.Cancelled) => TransitionKind.Apply,
            _ => TransitionKind.Ignore,
        };
    }
}

namespace Gerbang.Simulators.Generic;

/// <summary>A payment as the simulated provider keeps it.</summary>
public sealed class SimulatedPayment
{
    public required string Id { get; init; }

    public required string Reference { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required string Method { get; init; }

    public string? Bank { get; init; }

    public string? VaNumber { get; init; }

    public string? QrString { get; init; }

    /// <summary>For UPI: the customer's address the collect request was sent to.</summary>
    public string? Vpa { get; init; }

    /// <summary>For cards: the simulator's own card page, and where it sends the customer afterwards.</summary>
    public string? RedirectUrl { get; init; }

    public Uri? ReturnUrl { get; init; }

    /// <summary>For cards: <c>automatic</c> or <c>manual</c> (authorise now, capture later).</summary>
    public string? CaptureMethod { get; init; }

    /// <summary>Settable so a run can make the provider extend or shorten an instrument's life.</summary>
    public required DateTimeOffset ExpiresAt { get; set; }

    public required Uri NotifyUrl { get; init; }

    public string Status { get; set; } = "pending";

    public long PaidAmount { get; set; }

    /// <summary>Everything refunded on this payment, by the merchant system's request or from the provider's own side.</summary>
    public long RefundedAmount { get; set; }

    public Lock Gate { get; } = new();
}

public sealed class SimulatedPayout
{
    public required string Id { get; init; }

    public required string Reference { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required Uri NotifyUrl { get; init; }

    public string Status { get; set; } = "pending";
}

public sealed class SimulatedRefund
{
    public required string Id { get; init; }

    public required string Reference { get; init; }

    public required string PaymentId { get; init; }

    public required long Amount { get; init; }

    public string Status { get; set; } = "succeeded";
}

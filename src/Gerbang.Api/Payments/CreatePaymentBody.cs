using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Gerbang.Api.Http;

namespace Gerbang.Api.Payments;

/// <summary>The body of <c>POST /v1/payments</c> as it travels (read strictly by <see cref="CreatePaymentRequest.Read"/>).</summary>
public sealed record CreatePaymentBody
{
    [Description("The amount in the currency's smallest unit (whole rupiah for IDR).")]
    [Range(1, 9007199254740991)]
    public required long Amount { get; init; }

    [Description("An ISO 4217 code Gerbang supports, upper case.")]
    [ApiValues(typeof(Gerbang.Domain.Currency), nameof(Gerbang.Domain.Currency.Codes))]
    public required string Currency { get; init; }

    [Description("How the customer pays.")]
    [ApiValues("va", "qris", "card", "upi")]
    public required string Method { get; init; }

    [Description("The merchant's own order id: unique per merchant and mode while a payment for it is open or paid.")]
    [StringLength(64, MinimumLength = 1)]
    public required string OrderId { get; init; }

    [Description("For va: the bank of the virtual account.")]
    [ApiValues(typeof(Gerbang.Domain.Payments.PaymentMethods), nameof(Gerbang.Domain.Payments.PaymentMethods.VaBanks))]
    public string? Bank { get; init; }

    [Description("For upi: the customer's UPI address (name@bank).")]
    [StringLength(321)]
    public string? Vpa { get; init; }

    [Description("For card: charge at once (automatic, the default) or authorise and wait for a capture (manual).")]
    [ApiValues("automatic", "manual")]
    public string? CaptureMethod { get; init; }

    [Description("For card: where the card page sends the customer when it is done (https in live mode).")]
    [StringLength(2000)]
    public string? ReturnUrl { get; init; }

    [StringLength(500)]
    public string? Description { get; init; }

    public PaymentCustomerBody? Customer { get; init; }

    [Description("Up to 50 string values of up to 500 characters, keys of 1 to 40 characters; store_id groups payments by outlet.")]
    public Dictionary<string, string>? Metadata { get; init; }

    [Description("Ask for this provider rather than letting Gerbang route.")]
    [ApiValues(typeof(CreatePaymentRequest), nameof(CreatePaymentRequest.KnownProviders))]
    public string? Provider { get; init; }

    [Description("Seconds until the payment expires (60 to 30 days); or give expires_at.")]
    [Range(60, 2592000)]
    public long? ExpiresIn { get; init; }

    [Description("When the payment expires (RFC 3339, 1 minute to 30 days from now); or give expires_in.")]
    public DateTimeOffset? ExpiresAt { get; init; }

    [Description("Order lines (1 to 100); their quantity times price must add up to amount.")]
    public IReadOnlyList<PaymentItemBody>? Items { get; init; }

    public static CreatePaymentBody Example { get; } = new()
    {
        Amount = 150000,
        Currency = "IDR",
        Method = "va",
        Bank = "bca",
        OrderId = "ORDER-1001",
        Description = "Two shirts",
        Customer = new PaymentCustomerBody { Name = "Budi Santoso", Email = "budi@example.com", Phone = "+6281234567890" },
        Metadata = new Dictionary<string, string> { ["store_id"] = "jakarta-1" },
        ExpiresIn = 86400,
        Items = [new PaymentItemBody { Name = "Shirt", Quantity = 2, Price = 75000 }],
    };
}

/// <summary>Who pays.</summary>
public sealed record PaymentCustomerBody
{
    [StringLength(100)]
    public string? Name { get; init; }

    [StringLength(200)]
    public string? Email { get; init; }

    [Description("Digits, spaces, + and -.")]
    [StringLength(30)]
    public string? Phone { get; init; }
}

/// <summary>One order line.</summary>
public sealed record PaymentItemBody
{
    [StringLength(200, MinimumLength = 1)]
    public required string Name { get; init; }

    [Range(1, 1000000)]
    public long? Quantity { get; init; }

    [Range(1, 9007199254740991)]
    public required long Price { get; init; }
}

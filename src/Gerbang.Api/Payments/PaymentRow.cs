using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>A payment as stored.</summary>
public sealed record PaymentRow
{
    public const string Columns = """
        id, merchant_id, mode, status, amount, currency, method, bank, order_id, description, customer::text, metadata::text,
        provider, provider_reference, current_attempt_id, instructions::text, amount_captured, amount_refunded, amount_overpaid,
        fee, paid_late, failure::text, expires_at, paid_at, created_at, updated_at, capture_method, capture_requested
        """;

    public required string Id { get; init; }

    public required string MerchantId { get; init; }

    public required Mode Mode { get; init; }

    public required PaymentStatus Status { get; init; }

    public required Money Amount { get; init; }

    public required string Method { get; init; }

    public string? Bank { get; init; }

    public required string OrderId { get; init; }

    public string? Description { get; init; }

    public string? CustomerJson { get; init; }

    public required string MetadataJson { get; init; }

    public required string Provider { get; init; }

    public string? ProviderReference { get; init; }

    public string? CurrentAttemptId { get; init; }

    public string? InstructionsJson { get; init; }

    public Money AmountCaptured { get; init; }

    public Money AmountRefunded { get; init; }

    public Money AmountOverpaid { get; init; }

    public Money? Fee { get; init; }

    public bool PaidLate { get; init; }

    public string? FailureJson { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? PaidAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>For cards: <c>automatic</c> or <c>manual</c>; null for other methods.</summary>
    public string? CaptureMethod { get; init; }

    /// <summary>The amount of a capture sent to the provider and not yet settled.</summary>
    public Money? CaptureRequested { get; init; }

    public static PaymentRow Read(NpgsqlDataReader r)
    {
        var currency = Currency.Parse(r.GetString(5));
        return new()
        {
            Id = r.GetString(0),
            MerchantId = r.GetString(1),
            Mode = r.GetString(2) == "live" ? Mode.Live : Mode.Test,
            Status = PaymentStatusWire.Parse(r.GetString(3)),
            Amount = new Money(r.GetInt64(4), currency),
            Method = r.GetString(6),
            Bank = r.IsDBNull(7) ? null : r.GetString(7),
            OrderId = r.GetString(8),
            Description = r.IsDBNull(9) ? null : r.GetString(9),
            CustomerJson = r.IsDBNull(10) ? null : r.GetString(10),
            MetadataJson = r.GetString(11),
            Provider = r.GetString(12),
            ProviderReference = r.IsDBNull(13) ? null : r.GetString(13),
            CurrentAttemptId = r.IsDBNull(14) ? null : r.GetString(14),
            InstructionsJson = r.IsDBNull(15) ? null : r.GetString(15),
            AmountCaptured = new Money(r.GetInt64(16), currency),
            AmountRefunded = new Money(r.GetInt64(17), currency),
            AmountOverpaid = new Money(r.GetInt64(18), currency),
            Fee = r.IsDBNull(19) ? null : new Money(r.GetInt64(19), currency),
            PaidLate = r.GetBoolean(20),
            FailureJson = r.IsDBNull(21) ? null : r.GetString(21),
            ExpiresAt = r.GetFieldValue<DateTimeOffset>(22),
            PaidAt = r.IsDBNull(23) ? null : r.GetFieldValue<DateTimeOffset>(23),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(24),
            UpdatedAt = r.GetFieldValue<DateTimeOffset>(25),
            CaptureMethod = r.IsDBNull(26) ? null : r.GetString(26),
            CaptureRequested = r.IsDBNull(27) ? null : new Money(r.GetInt64(27), currency),
        };
    }
}

/// <summary>The payment object of the contract.</summary>
public sealed record PaymentView(
    string Id,
    string Object,
    string Merchant,
    bool Livemode,
    string Status,
    long Amount,
    string Currency,
    string Method,
    string? CaptureMethod,
    long AmountCaptured,
    long AmountRefunded,
    long? Fee,
    long? Net,
    bool PaidLate,
    long AmountOverpaid,
    string OrderId,
    string? Description,
    JsonElement? Customer,
    JsonElement Metadata,
    string Provider,
    string? ProviderReference,
    JsonElement? PaymentInstructions,
    string ExpiresAt,
    string? PaidAt,
    JsonElement? Failure,
    string CreatedAt,
    string UpdatedAt)
{
    public static PaymentView Of(PaymentRow p, string publicBaseUrl)
    {
        JsonElement? instructions = p.InstructionsJson is null ? null : Parse(p.InstructionsJson);
        if (instructions is { } i && i.TryGetProperty("type", out var type) && type.GetString() == "qris")
        {
            // The image URL is derived, not stored, so it follows the gateway's public address.
            var withUrl = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(i.GetRawText())!;
            withUrl["qr_image_url"] = JsonSerializer.SerializeToElement($"{publicBaseUrl.TrimEnd('/')}/v1/payments/{p.Id}/qr.svg");
            instructions = JsonSerializer.SerializeToElement(withUrl);
        }

        var credited = p.AmountCaptured + p.AmountOverpaid;
        return new PaymentView(
            p.Id,
            "payment",
            p.MerchantId,
            p.Mode == Mode.Live,
            p.Status.ToWire(),
            p.Amount.Amount,
            p.Amount.Currency.Code,
            p.Method,
            p.CaptureMethod,
            p.AmountCaptured.Amount,
            p.AmountRefunded.Amount,
            p.Fee?.Amount,
            p.Fee is { } fee ? (credited - fee).Amount : null,
            p.PaidLate,
            p.AmountOverpaid.Amount,
            p.OrderId,
            p.Description,
            p.CustomerJson is null ? null : Parse(p.CustomerJson),
            Parse(p.MetadataJson),
            p.Provider,
            p.ProviderReference,
            instructions,
            ApiJson.Time(p.ExpiresAt),
            ApiJson.Time(p.PaidAt),
            p.FailureJson is null ? null : Parse(p.FailureJson),
            ApiJson.Time(p.CreatedAt),
            ApiJson.Time(p.UpdatedAt));
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

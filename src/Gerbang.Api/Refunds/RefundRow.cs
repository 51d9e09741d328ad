using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Refunds;

public sealed record RefundRow(
    string Id, string PaymentId, string MerchantId, string Mode, Money Amount, string? Reason, string Status,
    string Provider, string? ProviderReference, string? FailureJson, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string InitiatedBy = "merchant")
{
    public const string Columns = "id, payment_id, merchant_id, mode, amount, currency, reason, status, provider, provider_reference, failure::text, created_at, updated_at, initiated_by";

    public static RefundRow Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), new Money(r.GetInt64(4), Currency.Parse(r.GetString(5))), r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10),
        r.GetFieldValue<DateTimeOffset>(11), r.GetFieldValue<DateTimeOffset>(12), r.GetString(13));

    public RefundView View()
    {
        JsonElement? failure = null;
        if (FailureJson is not null)
        {
            using var doc = JsonDocument.Parse(FailureJson);
            failure = doc.RootElement.Clone();
        }

        return new RefundView(Id, "refund", Mode == "live", PaymentId, Amount.Amount, Amount.Currency.Code, Reason, Status, failure, InitiatedBy, ApiJson.Time(CreatedAt), ApiJson.Time(UpdatedAt));
    }
}

public sealed record RefundView(string Id, string Object, bool Livemode, string Payment, long Amount, string Currency, string? Reason, string Status, JsonElement? Failure, string InitiatedBy, string CreatedAt, string UpdatedAt);

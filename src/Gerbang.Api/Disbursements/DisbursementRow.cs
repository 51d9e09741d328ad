using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Disbursements;

public sealed record DisbursementRow(
    string Id, string MerchantId, string Mode, Money Amount, Money Fee, string BankAccountId, string? Description, string Status,
    string Provider, string? ProviderReference, string? FailureJson, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Review = null)
{
    public const string Columns = "id, merchant_id, mode, amount, fee, currency, bank_account_id, description, status, provider, provider_reference, failure::text, created_at, updated_at, review";

    public static DisbursementRow Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), new Money(r.GetInt64(3), Currency.Parse(r.GetString(5))), new Money(r.GetInt64(4), Currency.Parse(r.GetString(5))), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
        r.GetString(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
        r.GetFieldValue<DateTimeOffset>(12), r.GetFieldValue<DateTimeOffset>(13), r.IsDBNull(14) ? null : r.GetString(14));

    public DisbursementView View()
    {
        JsonElement? failure = null;
        if (FailureJson is not null)
        {
            using var doc = JsonDocument.Parse(FailureJson);
            failure = doc.RootElement.Clone();
        }

        return new DisbursementView(Id, "disbursement", Mode == "live", Amount.Amount, Fee.Amount, Amount.Currency.Code, BankAccountId, Description, Status, Provider, failure, Review, ApiJson.Time(CreatedAt), ApiJson.Time(UpdatedAt));
    }
}

public sealed record DisbursementView(
    string Id, string Object, bool Livemode, long Amount, long Fee, string Currency, string BankAccount, string? Description, string Status, string Provider,
    JsonElement? Failure, string? Review, string CreatedAt, string UpdatedAt);

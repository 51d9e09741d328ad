using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Checkout;

/// <summary>A checkout session row.</summary>
public sealed record CheckoutSession(
    string Id, string MerchantId, string Mode, long Amount, string Currency, string OrderId, string? Description,
    string[] Methods, string SuccessUrl, string CancelUrl, string? PaymentId, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt)
{
    public const string Columns = "id, merchant_id, mode, amount, currency, order_id, description, methods, success_url, cancel_url, payment_id, expires_at, created_at";

    public Mode ModeValue => Mode == "live" ? Domain.Mode.Live : Domain.Mode.Test;

    /// <summary>The merchant the session's payment is made for, as if its own key had asked.</summary>
    public MerchantContext Merchant => new(MerchantId, ModeValue, "checkout");

    /// <summary>What a session is now: <c>complete</c> once its payment is paid, <c>expired</c> past its time.</summary>
    public string StatusFor(Domain.Payments.PaymentStatus? paymentStatus, DateTimeOffset now) =>
        paymentStatus == Domain.Payments.PaymentStatus.Paid ? "complete" : now >= ExpiresAt ? "expired" : "open";

    public static async Task<CheckoutSession?> FindAsync(NpgsqlDataSource db, string id, string? merchantId, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from checkout_sessions where id = $1 and ($2::text is null or merchant_id = $2)");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = (object?)merchantId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new CheckoutSession(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
            r.GetFieldValue<string[]>(7), r.GetString(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10),
            r.GetFieldValue<DateTimeOffset>(11), r.GetFieldValue<DateTimeOffset>(12));
    }

    /// <summary>The origins allowed to embed the page and hear its messages: those of the merchant's own URLs.</summary>
    public IReadOnlyList<string> Origins =>
        new[] { SuccessUrl, CancelUrl }.Select(u => new Uri(u).GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.Ordinal).ToList();

    public sealed record View(
        string Id, string Object, bool Livemode, string Status, long Amount, string Currency, string OrderId, string? Description,
        string[] Methods, string SuccessUrl, string CancelUrl, string Url, string? Payment, string ExpiresAt, string CreatedAt);

    public View ToView(string status, string publicUrl) =>
        new(Id, "checkout_session", Mode == "live", status, Amount, Currency, OrderId, Description, Methods, SuccessUrl, CancelUrl,
            $"{publicUrl}/checkout/{Id}", PaymentId, ApiJson.Time(ExpiresAt), ApiJson.Time(CreatedAt));
}

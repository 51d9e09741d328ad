using System.Text.Json;
using Gerbang.Api.Webhooks;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>Announces a payment's change: its event (with the payment as it now is) joins the caller's batch.</summary>
public static class PaymentEvents
{
    public static void Add(NpgsqlBatch batch, PaymentRow payment, string type, string publicBaseUrl, DateTimeOffset now, SubscriberDirectory subscribers)
    {
        using var metadata = JsonDocument.Parse(payment.MetadataJson);
        var storeId = metadata.RootElement.TryGetProperty("store_id", out var s) ? s.GetString() : null;
        EventWriter.Add(batch, payment.MerchantId, payment.Mode, type, payment.Id, storeId, PaymentView.Of(payment, publicBaseUrl), now, subscribers.MayHaveSubscribers(payment.MerchantId, payment.Mode));
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Http;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Stripe;

public sealed class StripeOptions
{
    public const string Section = "Providers:Stripe";

    public Uri? BaseUrl { get; set; }

    public string SecretKey { get; set; } = "";

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>).</summary>
    public string WebhookSecret { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Smallest card charge taken through Stripe, in rupiah.</summary>
    public long MinAmount { get; set; } = 10_000;

    /// <summary>Largest, in rupiah: Stripe counts IDR in hundredths and caps amounts at eight digits by default.</summary>
    public long MaxAmount { get; set; } = 999_999;
}

/// <summary>
/// Stripe for cards: a Checkout Session (Stripe's own card page) whose PaymentIntent is captured at
/// once or held for a manual capture; capture, void, refunds; webhooks signed with the endpoint secret.
/// The attempt id is the Idempotency-Key of the session and rides along as <c>client_reference_id</c>
/// and in the PaymentIntent's metadata, so every event finds its attempt. IDR goes over the wire ×100.
/// </summary>
public sealed class StripeProvider(HttpClient http, IOptions<StripeOptions> options, TimeProvider timeProvider) : IPaymentProvider
{
    public const string ProviderName = "stripe";
    private const string AttemptKey = "gerbang_attempt";

    public string Name => ProviderName;

    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
        [new(PaymentMethod.Card, null, Currency.Idr, options.Value.MinAmount, options.Value.MaxAmount)];

    public async Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        if (request.Method != PaymentMethod.Card || request.Amount.Currency != Currency.Idr)
        {
            return ProviderHttp.Declined("method_not_supported", "Stripe takes IDR card payments only.");
        }

        // A Checkout Session lives between 30 minutes and 24 hours.
        var now = timeProvider.GetUtcNow();
        var expires = request.ExpiresAt < now.AddMinutes(31) ? now.AddMinutes(31) : request.ExpiresAt > now.AddHours(23.9) ? now.AddHours(23.9) : request.ExpiresAt;
        var form = new List<KeyValuePair<string, string>>
        {
            new("mode", "payment"),
            new("payment_method_types[0]", "card"),
            new("line_items[0][quantity]", "1"),
            new("line_items[0][price_data][currency]", "idr"),
            new("line_items[0][price_data][unit_amount]", Minor(request.Amount.Amount)),
            new("line_items[0][price_data][product_data][name]", request.Description ?? $"Order {request.OrderId}"),
            new("payment_intent_data[capture_method]", request.Capture == CaptureMethod.Manual ? "manual" : "automatic"),
            new($"payment_intent_data[metadata][{AttemptKey}]", request.AttemptId),
            new("payment_intent_data[metadata][order_id]", request.OrderId),
            new("client_reference_id", request.AttemptId),
            new($"metadata[{AttemptKey}]", request.AttemptId),
            new("success_url", (request.ReturnUrl ?? request.NotificationUrl).ToString()),
            new("expires_at", expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (request.CustomerEmail is not null)
        {
            form.Add(new("customer_email", request.CustomerEmail));
        }

        var result = await SendAsync(Form("v1/checkout/sessions", form, request.AttemptId), cancellationToken);
        if (result.Value is not { } session)
        {
            return result.Failure!;
        }

        if (Text(session, "url") is not { } url || Text(session, "id") is not { } id)
        {
            return ProviderHttp.Declined("provider_bad_response", "Stripe answered without a Checkout Session URL.");
        }

        var expiresAt = session["expires_at"] is JsonValue e && e.TryGetValue<long>(out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix) : expires;
        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(id, PaymentInstructions.Redirect(url), expiresAt, PaymentStatus.Pending));
    }

    public async Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken)
    {
        var found = await SessionAndIntentAsync(providerReference, cancellationToken);
        if (found.Value is not var (session, intent, charge))
        {
            return found.Failure!;
        }

        return ProviderResult<ProviderPaymentState>.Ok(State(session, intent, charge));
    }

    /// <summary>An open session is expired at Stripe; an authorisation held for capture is cancelled (voided).</summary>
    public async Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken)
    {
        var found = await SessionAndIntentAsync(providerReference, cancellationToken);
        if (found.Value is not var (session, intent, _))
        {
            return found.Failure!;
        }

        if (Text(session, "status") == "open")
        {
            var expired = await SendAsync(Form($"v1/checkout/sessions/{Uri.EscapeDataString(providerReference)}/expire", [], attemptId + ":expire"), cancellationToken);
            return expired.Value is { } closed
                ? ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(providerReference, Text(closed, "status") == "expired" ? PaymentStatus.Cancelled : PaymentStatus.Pending, null, Text(closed, "status") ?? ""))
                : expired.Failure!;
        }

        if (intent is not null && Text(intent, "status") is "requires_capture" or "requires_payment_method" or "requires_action" or "requires_confirmation")
        {
            var cancelled = await SendAsync(Form($"v1/payment_intents/{Uri.EscapeDataString(Text(intent, "id")!)}/cancel", [new("cancellation_reason", "requested_by_customer")], attemptId + ":cancel"), cancellationToken);
            return cancelled.Value is { } pi ? ProviderResult<ProviderPaymentState>.Ok(State(session, pi)) : cancelled.Failure!;
        }

        return ProviderResult<ProviderPaymentState>.Ok(State(session, intent));
    }

    public async Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken)
    {
        var found = await SessionAndIntentAsync(providerReference, cancellationToken);
        if (found.Value is not var (session, intent, _) || intent is null)
        {
            return found.Failure ?? ProviderHttp.Declined("payment_not_capturable", "The customer has not entered a card yet.");
        }

        var captured = await SendAsync(
            Form($"v1/payment_intents/{Uri.EscapeDataString(Text(intent, "id")!)}/capture", [new("amount_to_capture", Minor(amount.Amount))], $"{attemptId}:capture:{amount.Amount}"),
            cancellationToken);
        return captured.Value is { } pi ? ProviderResult<ProviderPaymentState>.Ok(State(session, pi)) : captured.Failure!;
    }

    public async Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken)
    {
        var found = await SessionAndIntentAsync(request.ProviderReference, cancellationToken);
        if (found.Value is not var (_, intent, _) || intent is null)
        {
            return found.Failure ?? ProviderHttp.Declined("refund_declined", "Nothing was charged on this Checkout Session.");
        }

        var refunded = await SendAsync(
            Form("v1/refunds", [new("payment_intent", Text(intent, "id")!), new("amount", Minor(request.Amount.Amount)), new("metadata[gerbang_refund]", request.RefundId)], request.RefundId),
            cancellationToken);
        if (refunded.Value is not { } refund)
        {
            return refunded.Failure!;
        }

        var status = Text(refund, "status") switch
        {
            "succeeded" => ProviderOperationStatus.Succeeded,
            "failed" or "canceled" => ProviderOperationStatus.Failed,
            _ => ProviderOperationStatus.Pending,
        };
        return ProviderResult<ProviderRefund>.Ok(new ProviderRefund(Text(refund, "id") ?? request.RefundId, status));
    }

    public Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPayout>>(ProviderHttp.Declined("payout_not_supported", "Stripe pays out only to the platform's own bank account."));

    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        if (!StripeSignature.Verify(webhook.Header("Stripe-Signature"), webhook.Body.Span, options.Value.WebhookSecret, timeProvider.GetUtcNow()))
        {
            return WebhookVerification.Reject("Stripe-Signature mismatch or outside the 300 s tolerance");
        }

        JsonNode? evt;
        try
        {
            evt = JsonNode.Parse(webhook.Body.Span);
        }
        catch (JsonException)
        {
            return WebhookVerification.Reject("unreadable body");
        }

        var id = Text(evt, "id");
        var type = Text(evt, "type");
        var data = evt?["data"]?["object"];
        if (id is null || type is null || data is null)
        {
            return WebhookVerification.Reject("incomplete event");
        }

        var attempt = Text(data["metadata"], AttemptKey) ?? Text(data, "client_reference_id");
        if (type == "charge.refunded")
        {
            // A refund on the charge (ours or the dashboard's): never money in. The charge's own running
            // amount_refunded, read again through the status query, says how much.
            return WebhookVerification.Accept(new ProviderNotification(id, NotificationSubject.Refund, attempt, Text(data, "payment_intent") ?? "", PaymentStatus.Paid, null, null, type)
            {
                Refunded = Rupiah(data["amount_refunded"]) is { } back ? new Money(back, Currency.Idr) : null,
            });
        }

        PaymentStatus? status = type switch
        {
            "payment_intent.succeeded" => PaymentStatus.Paid,
            "payment_intent.amount_capturable_updated" => PaymentStatus.RequiresCapture,
            "payment_intent.canceled" => PaymentStatus.Cancelled,
            "payment_intent.payment_failed" => PaymentStatus.Failed,
            "checkout.session.expired" => PaymentStatus.Expired,
            _ => null,
        };
        Money? amount = status == PaymentStatus.Paid && Rupiah(data["amount_received"]) is { } received ? new Money(received, Currency.Idr) : null;
        return WebhookVerification.Accept(new ProviderNotification(id, NotificationSubject.Payment, attempt, Text(data, "id") ?? "", status, null, amount, type));
    }

    /// <summary>The session and, once a card was entered, its PaymentIntent.</summary>
    private async Task<ProviderResult<SessionAndIntent>> SessionAndIntentAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1/checkout/sessions/{Uri.EscapeDataString(sessionId)}"), cancellationToken);
        if (session.Value is not { } s)
        {
            return session.Failure!;
        }

        if (Text(s, "payment_intent") is not { } intentId)
        {
            return ProviderResult<SessionAndIntent>.Ok(new SessionAndIntent(s, null));
        }

        var intent = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1/payment_intents/{Uri.EscapeDataString(intentId)}"), cancellationToken);
        if (intent.Value is not { } pi)
        {
            return intent.Failure!;
        }

        // What has been refunded lives on the charge: its amount_refunded is Stripe's running total.
        if (Text(pi, "latest_charge") is not { } chargeId)
        {
            return ProviderResult<SessionAndIntent>.Ok(new SessionAndIntent(s, pi, null));
        }

        var charge = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"v1/charges/{Uri.EscapeDataString(chargeId)}"), cancellationToken);
        return charge.Value is { } ch ? ProviderResult<SessionAndIntent>.Ok(new SessionAndIntent(s, pi, ch)) : charge.Failure!;
    }

    private sealed record SessionAndIntent(JsonNode Session, JsonNode? Intent, JsonNode? Charge = null);

    /// <summary>Stripe's statuses to ours (providers.md §7): an expired session with nothing charged is expired.</summary>
    private static ProviderPaymentState State(JsonNode session, JsonNode? intent, JsonNode? charge = null)
    {
        var reference = Text(session, "id") ?? "";
        var raw = Text(intent, "status") ?? Text(session, "status") ?? "";
        var status = Text(intent, "status") switch
        {
            "succeeded" => PaymentStatus.Paid,
            "requires_capture" => PaymentStatus.RequiresCapture,
            "canceled" => PaymentStatus.Cancelled,
            _ when Text(session, "status") == "expired" => PaymentStatus.Expired,
            _ => PaymentStatus.Pending,
        };
        Money? paid = status == PaymentStatus.Paid && Rupiah(intent?["amount_received"]) is { } received ? new Money(received, Currency.Idr) : null;
        Money? refunded = Rupiah(charge?["amount_refunded"]) is { } back and > 0 ? new Money(back, Currency.Idr) : null;
        return new ProviderPaymentState(reference, status, paid, raw) { RefundedAmount = refunded };
    }

    private static string Minor(long rupiah) => checked(rupiah * 100).ToString(CultureInfo.InvariantCulture);

    /// <summary>Hundredths back to whole rupiah; a fraction of a rupiah is not an amount Gerbang accepts.</summary>
    private static long? Rupiah(JsonNode? minor) =>
        minor is JsonValue v && v.TryGetValue<long>(out var m) && m % 100 == 0 ? m / 100 : null;

    private static string? Text(JsonNode? n, string name) => n?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static HttpRequestMessage Form(string path, List<KeyValuePair<string, string>> fields, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private async Task<ProviderResult<JsonNode>> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.SecretKey);
        request.Headers.TryAddWithoutValidation("Stripe-Version", "2024-06-20");
        return await ProviderHttp.SendAsync(http, request, async response =>
        {
            var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (response.IsSuccessStatusCode && node is not null)
            {
                return ProviderResult<JsonNode>.Ok(node);
            }

            var message = Text(node?["error"], "message") ?? $"Stripe answered {(int)response.StatusCode}.";
            return response.StatusCode == HttpStatusCode.NotFound
                ? ProviderHttp.Declined("provider_unknown_payment", message)
                : ProviderHttp.Declined(Text(node?["error"], "code") ?? "provider_declined", message);
        }, cancellationToken);
    }
}

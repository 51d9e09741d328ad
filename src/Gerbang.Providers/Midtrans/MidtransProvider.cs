using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Http;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Midtrans;

public sealed class MidtransOptions
{
    public const string Section = "Providers:Midtrans";

    public Uri? BaseUrl { get; set; }

    public string ServerKey { get; set; } = "";

    /// <summary>Iris (payouts) lives apart from the Core API; by default beside it at <c>iris/api/v1/</c>.</summary>
    public Uri? IrisBaseUrl { get; set; }

    /// <summary>The Iris API key (Basic, empty password). Without it Midtrans pays nothing out.</summary>
    public string IrisApiKey { get; set; } = "";

    /// <summary>The Iris merchant key that signs payout notifications (<c>Iris-Signature</c>).</summary>
    public string IrisMerchantKey { get; set; } = "";

    /// <summary>The Iris approver key (Basic, empty password) that approves payouts waiting for approval.</summary>
    public string IrisApproverKey { get; set; } = "";

    /// <summary>
    /// What happens to an Iris payout waiting for approval (<c>queued</c>): <c>auto</c> approves it at once
    /// with <see cref="IrisApproverKey"/>; <c>operator</c> leaves it for a person to approve in Iris, the
    /// payout staying <c>processing</c> meanwhile. Without an approver key it is always left for an operator.
    /// </summary>
    public string IrisApproval { get; set; } = "auto";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Midtrans Core API: VA by bank transfer (BCA, BNI, BRI, CIMB, Permata), Mandiri as echannel bill
/// payment, and QRIS. Our attempt id is Midtrans's order_id, so a retried charge meets Midtrans's own
/// duplicate check (406) and is answered from the status of the first one.
/// </summary>
public sealed class MidtransProvider(HttpClient http, IOptions<MidtransOptions> options) : IPaymentProvider
{
    public const string ProviderName = "midtrans";
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    public string Name => ProviderName;

    /// <summary>VA at the banks Midtrans issues (Mandiri as echannel) and QRIS up to the QRIS ceiling of IDR 10 million.</summary>
    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
    [
        new(PaymentMethod.Va, ["bca", "bni", "bri", "cimb", "permata", "mandiri"], Currency.Idr, 10_000, 50_000_000_000),
        new(PaymentMethod.Qris, null, Currency.Idr, 1_500, 10_000_000),
    ];

    public async Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        if (request.Amount.Currency != Currency.Idr)
        {
            return ProviderHttp.Declined("currency_not_supported", "Midtrans takes IDR only.");
        }

        var body = new JsonObject
        {
            ["transaction_details"] = new JsonObject { ["order_id"] = request.AttemptId, ["gross_amount"] = request.Amount.Amount },
            ["custom_expiry"] = new JsonObject { ["expiry_duration"] = Math.Max(1, (int)Math.Ceiling((request.ExpiresAt - DateTimeOffset.UtcNow).TotalMinutes)), ["unit"] = "minute" },
        };
        if (request.CustomerName is not null || request.CustomerEmail is not null)
        {
            body["customer_details"] = new JsonObject { ["first_name"] = request.CustomerName, ["email"] = request.CustomerEmail };
        }

        switch (request.Method, request.Bank)
        {
            case (PaymentMethod.Va, "bca" or "bni" or "bri" or "cimb" or "permata"):
                body["payment_type"] = "bank_transfer";
                body["bank_transfer"] = new JsonObject { ["bank"] = request.Bank };
                break;
            case (PaymentMethod.Va, "mandiri"):
                body["payment_type"] = "echannel";
                body["echannel"] = new JsonObject { ["bill_info1"] = "Payment:", ["bill_info2"] = request.OrderId.Length > 10 ? request.OrderId[..10] : request.OrderId };
                break;
            case (PaymentMethod.Qris, _):
                body["payment_type"] = "qris";
                body["qris"] = new JsonObject { ["acquirer"] = "gopay" };
                break;
            default:
                return ProviderHttp.Declined("bank_not_supported", $"Midtrans does not issue {request.Bank} virtual accounts.");
        }

        var message = Json(HttpMethod.Post, "v2/charge", body);
        message.Headers.TryAddWithoutValidation("X-Override-Notification", request.NotificationUrl.ToString());
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } charge)
        {
            return result.Failure!;
        }

        if (charge["status_code"]?.GetValue<string>() == "406")
        {
            var existing = await ProviderHttp.SendAsync(http, Auth(new HttpRequestMessage(HttpMethod.Get, $"v2/{Uri.EscapeDataString(request.AttemptId)}/status")), r => ReadAsync(r, cancellationToken), cancellationToken);
            if (existing.Value is not { } found)
            {
                return existing.Failure!;
            }

            charge = found;
        }

        if (charge["status_code"]?.GetValue<string>() is not ("201" or "200"))
        {
            return ProviderHttp.Declined("provider_declined", charge["status_message"]?.GetValue<string>() ?? "Midtrans refused the charge.");
        }

        // Midtrans took the charge; an answer missing what it must carry leaves the outcome unknown
        // (the status query, then reconciliation, settle it), never a decline and never a crash.
        var transactionId = Text(charge, "transaction_id");
        var instructions = Text(charge, "payment_type") switch
        {
            "echannel" when Text(charge, "bill_key") is { } billKey && Text(charge, "biller_code") is { } biller => PaymentInstructions.Va("mandiri", billKey, biller),
            "qris" when Text(charge, "qr_string") is { } qr => PaymentInstructions.Qris(qr),
            "bank_transfer" when (Text(charge, "permata_va_number") ?? Text(charge["va_numbers"]?[0], "va_number")) is { } va => PaymentInstructions.Va(request.Bank!, va),
            _ => null,
        };
        if (transactionId is null || instructions is null)
        {
            return new ProviderFailure(ProviderFailureKind.Timeout, "provider_bad_response", "Midtrans accepted the charge but its answer is incomplete; its outcome is unknown.");
        }

        var expires = ParseTime(Text(charge, "expiry_time")) ?? request.ExpiresAt;
        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(transactionId, instructions, expires, MapStatus(charge)));
    }

    public Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        StateAsync(new HttpRequestMessage(HttpMethod.Get, $"v2/{Uri.EscapeDataString(attemptId)}/status"), cancellationToken);

    public Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        StateAsync(new HttpRequestMessage(HttpMethod.Post, $"v2/{Uri.EscapeDataString(attemptId)}/cancel"), cancellationToken);

    /// <summary>Midtrans takes no card payments here, so there is nothing to capture.</summary>
    public Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("capture_not_supported", "Midtrans payments are not captured separately."));

    public async Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["refund_key"] = request.RefundId, ["amount"] = request.Amount.Amount, ["reason"] = request.Reason ?? "refund" };
        var result = await ProviderHttp.SendAsync(http, Json(HttpMethod.Post, $"v2/{Uri.EscapeDataString(request.AttemptId)}/refund", body), r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        return answer["status_code"]?.GetValue<string>() == "200"
            ? ProviderResult<ProviderRefund>.Ok(new ProviderRefund(request.RefundId, ProviderOperationStatus.Succeeded))
            : ProviderHttp.Declined("refund_declined", answer["status_message"]?.GetValue<string>() ?? "Midtrans refused the refund.");
    }

    public IReadOnlyCollection<string> PayoutBanks => options.Value.IrisApiKey.Length > 0 ? PaymentMethods.AccountBanks : [];

    /// <summary>
    /// Iris <c>POST /payouts</c>, one payout per request, with the disbursement id as its
    /// <c>X-Idempotency-Key</c> (and in its notes), so a repeat returns the payout already made.
    /// </summary>
    public async Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken)
    {
        if (options.Value.IrisApiKey.Length == 0)
        {
            return ProviderHttp.Declined("payout_not_supported", "Payouts through Midtrans go through Iris, which is not configured.");
        }

        var body = new JsonObject
        {
            ["payouts"] = new JsonArray(new JsonObject
            {
                ["beneficiary_name"] = request.AccountHolderName,
                ["beneficiary_account"] = request.AccountNumber,
                ["beneficiary_bank"] = request.BankCode,
                ["amount"] = request.Amount.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["notes"] = request.DisbursementId,
            }),
        };
        var irisBase = options.Value.IrisBaseUrl ?? new Uri(http.BaseAddress!, "iris/api/v1/");
        var message = ProviderHttp.JsonRequest(HttpMethod.Post, new Uri(new Uri(irisBase.ToString().TrimEnd('/') + "/"), "payouts").ToString(), body);
        message.Headers.TryAddWithoutValidation("Authorization", MidtransSignature.BasicAuth(options.Value.IrisApiKey));
        message.Headers.TryAddWithoutValidation("X-Idempotency-Key", request.DisbursementId);
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        var payout = answer["payouts"]?[0];
        var reference = Text(payout, "reference_no");
        if (reference is null)
        {
            return ProviderHttp.Declined("payout_declined", Text(answer, "error_message") ?? "Iris refused the payout.");
        }

        if (Text(payout, "status") == "queued" && options.Value.IrisApproval == "auto" && options.Value.IrisApproverKey.Length > 0)
        {
            // Approved as Iris expects, with the approver's own key. If the approval is not answered the
            // payout simply waits, still queued, for the next status query or for an operator.
            var approve = ProviderHttp.JsonRequest(HttpMethod.Post, new Uri(new Uri(irisBase.ToString().TrimEnd('/') + "/"), "payouts/approve").ToString(), new JsonObject { ["reference_nos"] = new JsonArray(reference), ["otp"] = "" });
            approve.Headers.TryAddWithoutValidation("Authorization", MidtransSignature.BasicAuth(options.Value.IrisApproverKey));
            _ = await ProviderHttp.SendAsync(http, approve, r => ReadAsync(r, cancellationToken), cancellationToken);
        }

        return ProviderResult<ProviderPayout>.Ok(new ProviderPayout(reference, MapIris(Text(payout, "status"))));
    }

    /// <summary>Iris <c>GET /payouts/{reference_no}</c>: the payout's own status.</summary>
    public async Task<ProviderResult<ProviderPayout>> GetPayoutStatusAsync(string disbursementId, string providerReference, CancellationToken cancellationToken)
    {
        if (options.Value.IrisApiKey.Length == 0)
        {
            return ProviderHttp.Declined("payout_not_supported", "Payouts through Midtrans go through Iris, which is not configured.");
        }

        var irisBase = options.Value.IrisBaseUrl ?? new Uri(http.BaseAddress!, "iris/api/v1/");
        var message = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(irisBase.ToString().TrimEnd('/') + "/"), "payouts/" + Uri.EscapeDataString(providerReference)));
        message.Headers.TryAddWithoutValidation("Authorization", MidtransSignature.BasicAuth(options.Value.IrisApiKey));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        return result.Value is { } answer && Text(answer, "reference_no") is { } reference
            ? ProviderResult<ProviderPayout>.Ok(new ProviderPayout(reference, MapIris(Text(answer, "status"))))
            : result.Failure ?? ProviderHttp.Declined("payout_status_unknown", Text(result.Value, "error_message") ?? "Iris did not name the payout.");
    }

    /// <summary>Iris statuses: completed is paid; failed and rejected are not; the rest are on their way.</summary>
    private static ProviderOperationStatus MapIris(string? status) => status switch
    {
        "completed" => ProviderOperationStatus.Succeeded,
        "failed" or "rejected" => ProviderOperationStatus.Failed,
        _ => ProviderOperationStatus.Pending,
    };

    private WebhookVerification VerifyIris(InboundWebhook webhook, string signature)
    {
        if (options.Value.IrisMerchantKey.Length == 0 || !MidtransSignature.VerifyIris(webhook.Body.Span, signature, options.Value.IrisMerchantKey))
        {
            return WebhookVerification.Reject("Iris-Signature mismatch");
        }

        JsonNode? n;
        try
        {
            n = JsonNode.Parse(webhook.Body.Span);
        }
        catch (JsonException)
        {
            return WebhookVerification.Reject("unreadable body");
        }

        var reference = Text(n, "reference_no");
        var status = Text(n, "status");
        return reference is null || status is null
            ? WebhookVerification.Reject("incomplete notification")
            : WebhookVerification.Accept(new ProviderNotification($"iris:{reference}:{status}", NotificationSubject.Payout, null, reference, null, MapIris(status), null, status));
    }

    /// <summary>Verifies <c>signature_key</c> over the notification's own strings, then reads it.</summary>
    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        if (webhook.Header("Iris-Signature") is { } iris)
        {
            return VerifyIris(webhook, iris);
        }

        JsonNode? n;
        try
        {
            n = JsonNode.Parse(webhook.Body.Span);
        }
        catch (JsonException)
        {
            return WebhookVerification.Reject("unreadable body");
        }

        var orderId = Text(n, "order_id");
        var statusCode = Text(n, "status_code");
        var gross = Text(n, "gross_amount");
        var transactionId = Text(n, "transaction_id");
        if (orderId is null || statusCode is null || gross is null || transactionId is null)
        {
            return WebhookVerification.Reject("incomplete notification");
        }

        if (!MidtransSignature.VerifyNotification(orderId, statusCode, gross, Text(n, "signature_key"), options.Value.ServerKey))
        {
            return WebhookVerification.Reject("signature_key mismatch");
        }

        var status = MapStatus(n!);
        var raw = Text(n, "transaction_status") ?? "";
        Money? amount = ParseAmount(gross) is { } value ? new Money(value, Currency.Idr) : null;

        // refund and partial_refund report refunds on a paid transaction: never money in. Each refund
        // is a new notification (its running total in the key); the status query says how much.
        var isRefund = raw is "refund" or "partial_refund";
        var key = isRefund ? $"{transactionId}:{raw}:{Text(n, "refund_amount") ?? gross}" : $"{transactionId}:{raw}:{statusCode}";
        return WebhookVerification.Accept(new ProviderNotification(
            key, isRefund ? NotificationSubject.Refund : NotificationSubject.Payment, orderId, transactionId, status, null, amount, raw));
    }

    private async Task<ProviderResult<ProviderPaymentState>> StateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = await ProviderHttp.SendAsync(http, Auth(request), r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } state)
        {
            return result.Failure!;
        }

        if (Text(state, "transaction_id") is null)
        {
            return ProviderHttp.Declined("provider_refused", state["status_message"]?.GetValue<string>() ?? "Midtrans refused.");
        }

        var status = MapStatus(state);
        var raw = Text(state, "transaction_status") ?? "";
        var gross = ParseAmount(Text(state, "gross_amount"));
        Money? paid = status == PaymentStatus.Paid && gross is { } v ? new Money(v, Currency.Idr) : null;

        // refund_amount is Midtrans's running total of what it has refunded on the transaction; a full
        // refund without it gave back the whole gross amount.
        Money? refunded = raw is "refund" or "partial_refund"
            ? (ParseAmount(Text(state, "refund_amount")) ?? (raw == "refund" ? gross : null)) is { } r ? new Money(r, Currency.Idr) : null
            : null;
        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(Text(state, "transaction_id")!, status, paid, raw) { RefundedAmount = refunded });
    }

    private static async Task<ProviderResult<JsonNode>> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return node is null ? ProviderHttp.Declined("provider_bad_response", "Midtrans answered nothing.") : ProviderResult<JsonNode>.Ok(node);
    }

    /// <summary>
    /// Midtrans statuses to ours; a card <c>capture</c> counts only when fraud_status is accept. A refunded
    /// transaction took its money and stays paid: how much went back is its refunded amount, not a state.
    /// </summary>
    private static PaymentStatus MapStatus(JsonNode n) => Text(n, "transaction_status") switch
    {
        "settlement" or "refund" or "partial_refund" => PaymentStatus.Paid,
        "capture" when Text(n, "fraud_status") == "accept" => PaymentStatus.Paid,
        "expire" => PaymentStatus.Expired,
        "cancel" => PaymentStatus.Cancelled,
        "deny" or "failure" => PaymentStatus.Failed,
        _ => PaymentStatus.Pending,
    };

    private static string? Text(JsonNode? n, string name) => n?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? ParseAmount(string? gross) =>
        decimal.TryParse(gross, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) ? (long)d : null;

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) ? new DateTimeOffset(local, Wib).ToUniversalTime() : null;

    private HttpRequestMessage Json(HttpMethod method, string path, JsonObject body) => Auth(ProviderHttp.JsonRequest(method, path, body));

    private HttpRequestMessage Auth(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Authorization", MidtransSignature.BasicAuth(options.Value.ServerKey));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }
}

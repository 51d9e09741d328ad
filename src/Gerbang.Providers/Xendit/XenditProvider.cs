using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Http;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Xendit;

public sealed class XenditOptions
{
    public const string Section = "Providers:Xendit";

    public Uri? BaseUrl { get; set; }

    public string SecretKey { get; set; } = "";

    public string CallbackToken { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Xendit Payments API v3: VA at every bank the contract names and QRIS as payment requests whose
/// <c>reference_id</c> is our attempt id, status and cancel by payment request id, refunds at
/// <c>/refunds</c>, and webhooks trusted by their callback token (Xendit signs nothing).
/// </summary>
public sealed class XenditProvider(HttpClient http, IOptions<XenditOptions> options) : IPaymentProvider
{
    public const string ProviderName = "xendit";
    public const string ApiVersion = "2024-11-11";

    public string Name => ProviderName;

    /// <summary>VA at every bank the contract names and QRIS up to the QRIS ceiling of IDR 10 million.</summary>
    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
    [
        new(PaymentMethod.Va, PaymentMethods.VaBanks, Currency.Idr, 10_000, 50_000_000_000),
        new(PaymentMethod.Qris, null, Currency.Idr, 1_500, 10_000_000),
    ];

    public async Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        var channel = request.Method == PaymentMethod.Qris ? "QRIS" : request.Bank!.ToUpperInvariant() + "_VIRTUAL_ACCOUNT";
        var body = new JsonObject
        {
            ["reference_id"] = request.AttemptId,
            ["type"] = "PAY",
            ["country"] = "ID",
            ["currency"] = request.Amount.Currency.Code,
            ["request_amount"] = request.Amount.Amount,
            ["channel_code"] = channel,
            ["channel_properties"] = new JsonObject
            {
                ["display_name"] = request.CustomerName ?? "Customer",
                ["expires_at"] = request.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
            ["description"] = request.Description,
        };
        var message = Json(HttpMethod.Post, "v3/payment_requests", body);
        message.Headers.TryAddWithoutValidation("idempotency-key", request.AttemptId);
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } pr)
        {
            return result.Failure!;
        }

        var value = pr["actions"]?[0]?["value"]?.GetValue<string>() ?? "";
        var instructions = request.Method == PaymentMethod.Qris ? PaymentInstructions.Qris(value) : PaymentInstructions.Va(request.Bank!, value);
        var expires = DateTimeOffset.TryParse(pr["channel_properties"]?["expires_at"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e.ToUniversalTime() : request.ExpiresAt;
        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(pr["payment_request_id"]!.GetValue<string>(), instructions, expires, Map(pr["status"]?.GetValue<string>())));
    }

    public Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        StateAsync(Auth(new HttpRequestMessage(HttpMethod.Get, $"v3/payment_requests/{Uri.EscapeDataString(providerReference)}")), cancellationToken);

    public Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        StateAsync(Auth(new HttpRequestMessage(HttpMethod.Post, $"v3/payment_requests/{Uri.EscapeDataString(providerReference)}/cancel")), cancellationToken);

    /// <summary>Xendit takes no card payments here, so there is nothing to capture.</summary>
    public Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("capture_not_supported", "Xendit payments are not captured separately."));

    public async Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["payment_request_id"] = request.ProviderReference,
            ["reference_id"] = request.RefundId,
            ["currency"] = request.Amount.Currency.Code,
            ["amount"] = request.Amount.Amount,
            ["reason"] = "REQUESTED_BY_CUSTOMER",
        };
        var message = Json(HttpMethod.Post, "refunds", body);
        message.Headers.TryAddWithoutValidation("idempotency-key", request.RefundId);
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } refund)
        {
            return result.Failure!;
        }

        var status = refund["status"]?.GetValue<string>() switch
        {
            "SUCCEEDED" => ProviderOperationStatus.Succeeded,
            "FAILED" => ProviderOperationStatus.Failed,
            _ => ProviderOperationStatus.Pending,
        };
        return ProviderResult<ProviderRefund>.Ok(new ProviderRefund(refund["id"]!.GetValue<string>(), status));
    }

    public IReadOnlyCollection<string> PayoutBanks => PaymentMethods.AccountBanks;

    /// <summary>
    /// <c>POST /v2/payouts</c> with the disbursement id as both <c>reference_id</c> and
    /// <c>Idempotency-key</c>: the same request sent again returns the same payout.
    /// </summary>
    public async Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["reference_id"] = request.DisbursementId,
            ["channel_code"] = "ID_" + request.BankCode.ToUpperInvariant(),
            ["channel_properties"] = new JsonObject { ["account_number"] = request.AccountNumber, ["account_holder_name"] = request.AccountHolderName },
            ["amount"] = request.Amount.Amount,
            ["currency"] = request.Amount.Currency.Code,
            ["description"] = request.Description ?? "Gerbang payout",
        };
        var message = Json(HttpMethod.Post, "v2/payouts", body);
        message.Headers.TryAddWithoutValidation("Idempotency-key", request.DisbursementId);
        var result = await ProviderHttp.SendAsync(http, message, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } payout)
        {
            return result.Failure!;
        }

        return ProviderResult<ProviderPayout>.Ok(new ProviderPayout(payout["id"]!.GetValue<string>(), MapPayout(payout["status"]?.GetValue<string>())));
    }

    /// <summary><c>GET /v2/payouts/{id}</c>: the payout's own status.</summary>
    public async Task<ProviderResult<ProviderPayout>> GetPayoutStatusAsync(string disbursementId, string providerReference, CancellationToken cancellationToken)
    {
        var result = await ProviderHttp.SendAsync(http, Auth(new HttpRequestMessage(HttpMethod.Get, $"v2/payouts/{Uri.EscapeDataString(providerReference)}")), r => ReadAsync(r, cancellationToken), cancellationToken);
        return result.Value is { } payout && payout["id"]?.GetValue<string>() is { } id
            ? ProviderResult<ProviderPayout>.Ok(new ProviderPayout(id, MapPayout(payout["status"]?.GetValue<string>())))
            : result.Failure ?? ProviderHttp.Declined("provider_bad_response", "Xendit answered a payout without an id.");
    }

    private static ProviderOperationStatus MapPayout(string? status) => status switch
    {
        "SUCCEEDED" => ProviderOperationStatus.Succeeded,
        "FAILED" or "CANCELLED" or "REVERSED" => ProviderOperationStatus.Failed,
        _ => ProviderOperationStatus.Pending,
    };

    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        if (!XenditSignature.VerifyCallbackToken(webhook.Header(XenditSignature.CallbackTokenHeader), options.Value.CallbackToken))
        {
            return WebhookVerification.Reject("callback token mismatch");
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

        var data = n?["data"];
        if (n?["event"]?.GetValue<string>() is { } payoutEvent && payoutEvent.StartsWith("payout.", StringComparison.Ordinal))
        {
            var payoutId = data?["id"]?.GetValue<string>();
            var payoutStatus = data?["status"]?.GetValue<string>();
            if (payoutId is null || payoutStatus is null)
            {
                return WebhookVerification.Reject("incomplete notification");
            }

            return WebhookVerification.Accept(new ProviderNotification(
                $"{payoutId}:{payoutStatus}", NotificationSubject.Payout, data!["reference_id"]?.GetValue<string>(), payoutId, null, MapPayout(payoutStatus), null, payoutStatus));
        }

        if (n?["event"]?.GetValue<string>() is { } refundEvent && refundEvent.StartsWith("refund.", StringComparison.Ordinal))
        {
            // A refund on a payment request: never money in. Which refunds count is what GET /refunds says.
            var refundId = data?["id"]?.GetValue<string>();
            var paymentRequest = data?["payment_request_id"]?.GetValue<string>();
            if (refundId is null || paymentRequest is null)
            {
                return WebhookVerification.Reject("incomplete notification");
            }

            return WebhookVerification.Accept(new ProviderNotification(
                $"{refundId}:{refundEvent}", NotificationSubject.Refund, null, paymentRequest, PaymentStatus.Paid, null, null, data!["status"]?.GetValue<string>() ?? refundEvent)
            {
                RefundReference = data["reference_id"]?.GetValue<string>(),
            });
        }

        var requestId = data?["payment_request_id"]?.GetValue<string>();
        var status = data?["status"]?.GetValue<string>();
        if (requestId is null || status is null || !Currency.TryParse(data!["currency"]?.GetValue<string>(), out var currency))
        {
            return WebhookVerification.Reject("incomplete notification");
        }

        var mapped = Map(status);
        Money? amount = mapped == PaymentStatus.Paid && data["request_amount"]?.GetValue<long>() is { } a ? new Money(a, currency) : null;
        var key = $"{data["payment_id"]?.GetValue<string>() ?? requestId}:{n!["event"]?.GetValue<string>()}";
        return WebhookVerification.Accept(new ProviderNotification(key, NotificationSubject.Payment, data["reference_id"]?.GetValue<string>(), requestId, mapped, null, amount, status));
    }

    private async Task<ProviderResult<ProviderPaymentState>> StateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = await ProviderHttp.SendAsync(http, request, r => ReadAsync(r, cancellationToken), cancellationToken);
        if (result.Value is not { } pr)
        {
            return result.Failure!;
        }

        var status = Map(pr["status"]?.GetValue<string>());
        Money? paid = status == PaymentStatus.Paid && pr["request_amount"]?.GetValue<long>() is { } a ? new Money(a, Currency.Idr) : null;
        var id = pr["payment_request_id"]!.GetValue<string>();
        Money? refunded = null;
        if (status == PaymentStatus.Paid)
        {
            // Refunds are their own objects at Xendit: what has gone back is the sum of the succeeded ones.
            var listed = await ProviderHttp.SendAsync(http, Auth(new HttpRequestMessage(HttpMethod.Get, $"refunds?payment_request_id={Uri.EscapeDataString(id)}")), r => ReadAsync(r, cancellationToken), cancellationToken);
            if (listed.Value is not { } list)
            {
                return listed.Failure!;
            }

            var total = list["data"]?.AsArray().Where(x => x?["status"]?.GetValue<string>() == "SUCCEEDED").Sum(x => x!["amount"]!.GetValue<long>()) ?? 0;
            refunded = total > 0 ? new Money(total, Currency.Idr) : null;
        }

        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(id, status, paid, pr["status"]?.GetValue<string>() ?? "") { RefundedAmount = refunded });
    }

    private static async Task<ProviderResult<JsonNode>> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return ProviderHttp.Declined(
                response.StatusCode == HttpStatusCode.NotFound ? "provider_unknown_payment" : "provider_declined",
                node?["message"]?.GetValue<string>() ?? $"Xendit answered {(int)response.StatusCode}.");
        }

        return node is null ? ProviderHttp.Declined("provider_bad_response", "Xendit answered nothing.") : ProviderResult<JsonNode>.Ok(node);
    }

    private static PaymentStatus Map(string? status) => status switch
    {
        "SUCCEEDED" => PaymentStatus.Paid,
        "EXPIRED" => PaymentStatus.Expired,
        "CANCELED" => PaymentStatus.Cancelled,
        "FAILED" => PaymentStatus.Failed,
        _ => PaymentStatus.Pending,
    };

    private HttpRequestMessage Json(HttpMethod method, string path, JsonObject body) => Auth(ProviderHttp.JsonRequest(method, path, body));

    private HttpRequestMessage Auth(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Authorization", XenditSignature.BasicAuth(options.Value.SecretKey));
        request.Headers.TryAddWithoutValidation("api-version", ApiVersion);
        return request;
    }
}

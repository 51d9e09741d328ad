using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Http;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Doku;

public sealed class DokuOptions
{
    public const string Section = "Providers:Doku";

    public Uri? BaseUrl { get; set; }

    /// <summary>The merchant's DOKU Client-Id (Non-SNAP) and SNAP partner id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The Non-SNAP secret key: signs VA requests and DOKU's VA notifications.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The SNAP client secret: HMAC-SHA512 of SNAP calls and of DOKU's SNAP notifications.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The merchant's RSA private key (PEM) that signs the SNAP B2B token request.</summary>
    public string PrivateKeyPem { get; set; } = "";

    /// <summary>The QRIS merchant and terminal ids DOKU assigned.</summary>
    public string QrisMerchantId { get; set; } = "";

    public string QrisTerminalId { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// DOKU: VA through the Non-SNAP API (<c>/{bank}-virtual-account/v2/payment-code</c>, Client-Id /
/// Request-Id / Request-Timestamp / Signature), status by invoice; QRIS through SNAP (a B2B token
/// requested with an RSA signature, then HMAC-SHA512 signed <c>qr-mpm-*</c> calls). Our attempt id is
/// the invoice number and the QRIS partner reference. Notifications: Non-SNAP ones verified over the
/// path they were delivered to, SNAP ones by their HMAC-SHA512 over method, path, bearer token, body
/// hash and timestamp with the client secret.
/// </summary>
public sealed class DokuProvider(HttpClient http, IOptions<DokuOptions> options, TimeProvider timeProvider) : IPaymentProvider, IDisposable
{
    public const string ProviderName = "doku";
    private const string QrisPath = "/snap-adapter/b2b/v1.0/qr/";
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private volatile AccessToken? _token;

    public string Name => ProviderName;

    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
    [
        new(PaymentMethod.Va, PaymentMethods.VaBanks, Currency.Idr, 10_000, 999_999_999),
        new(PaymentMethod.Qris, null, Currency.Idr, 1_000, 10_000_000),
    ];

    public void Dispose() => _tokenGate.Dispose();

    /// <summary>A SNAP access token and when to stop using it, swapped as one reference.</summary>
    private sealed record AccessToken(string Value, DateTimeOffset Until);

    public Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken) =>
        request.Method == PaymentMethod.Qris ? CreateQrisAsync(request, cancellationToken) : CreateVaAsync(request, cancellationToken);

    public Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        providerReference.StartsWith("qris:", StringComparison.Ordinal)
            ? QrisStateAsync("qr-mpm-query", providerReference, cancellationToken)
            : VaStateAsync(providerReference, cancellationToken);

    /// <summary>A QRIS is cancelled at DOKU; DOKU's Non-SNAP VA has no cancel call, so a VA lapses at its expiry.</summary>
    public Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        providerReference.StartsWith("qris:", StringComparison.Ordinal)
            ? QrisStateAsync("qr-mpm-cancel", providerReference, cancellationToken)
            : Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("cancel_not_supported", "DOKU cannot cancel a virtual account; it lapses at its expiry."));

    public Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("capture_not_supported", "DOKU payments are not captured separately."));

    public async Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken)
    {
        if (!request.ProviderReference.StartsWith("qris:", StringComparison.Ordinal))
        {
            return ProviderHttp.Declined("refund_not_supported", "DOKU refunds only QRIS payments.");
        }

        var body = new JsonObject
        {
            ["originalPartnerReferenceNo"] = request.ProviderReference["qris:".Length..],
            ["partnerRefundNo"] = request.RefundId,
            ["refundAmount"] = SnapAmount(request.Amount),
            ["reason"] = request.Reason ?? "Requested by customer",
        };
        var result = await SnapAsync(QrisPath + "qr-mpm-refund", body, cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        return ProviderResult<ProviderRefund>.Ok(new ProviderRefund(answer["refundNo"]?.GetValue<string>() ?? request.RefundId, ProviderOperationStatus.Succeeded));
    }

    public Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPayout>>(ProviderHttp.Declined("payout_not_supported", "DOKU payouts are not configured."));

    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        var o = options.Value;
        if (webhook.Header("Signature") is { } signature)
        {
            if (o.SecretKey.Length == 0 || !DokuSignature.VerifyNotification(webhook.Header("Client-Id"), webhook.Header("Request-Id"), webhook.Header("Request-Timestamp"), signature, webhook.Path, webhook.Body.Span, o.ClientId, o.SecretKey))
            {
                return WebhookVerification.Reject("signature mismatch");
            }

            var n = Parse(webhook.Body);
            var invoice = n?["order"]?["invoice_number"]?.GetValue<string>();
            var status = n?["transaction"]?["status"]?.GetValue<string>();
            if (invoice is null || status is null)
            {
                return WebhookVerification.Reject("incomplete notification");
            }

            var mapped = MapVa(status);
            Money? amount = mapped == PaymentStatus.Paid && n!["order"]?["amount"] is JsonValue a && a.TryGetValue<long>(out var paid) ? new Money(paid, Currency.Idr) : null;
            // REFUNDED reports a refund of a paid transaction: never money in.
            var subject = status == "REFUNDED" ? NotificationSubject.Refund : NotificationSubject.Payment;
            return WebhookVerification.Accept(new ProviderNotification($"{invoice}:{status}", subject, invoice, invoice, mapped, null, amount, status));
        }

        if (webhook.Header("X-SIGNATURE") is { } snap)
        {
            var authorization = webhook.Header("Authorization") ?? "";
            var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null;
            var timestamp = webhook.Header("X-TIMESTAMP");
            if (o.ClientSecret.Length == 0 || token is null || timestamp is null
                || !Fixed.Equal(snap, DokuSignature.Snap("POST", webhook.Path, token, webhook.Body.Span, timestamp, o.ClientSecret)))
            {
                return WebhookVerification.Reject("signature mismatch");
            }

            var n = Parse(webhook.Body);
            var reference = n?["originalPartnerReferenceNo"]?.GetValue<string>();
            var code = n?["latestTransactionStatus"]?.GetValue<string>();
            if (reference is null || code is null)
            {
                return WebhookVerification.Reject("incomplete notification");
            }

            var desc = n!["transactionStatusDesc"]?.GetValue<string>();
            var mapped = MapSnap(code, desc);
            var amount = mapped == PaymentStatus.Paid ? ParseSnapAmount(n["amount"]) : null;
            // 04 (refunded), or a refund history, reports refunds of a paid transaction: never money in.
            // Each refund is its own notification (the status may stay 00 through partial refunds), so its
            // identity names what has been refunded so far.
            var refunded = amount is { } a && n["refundHistory"] is JsonArray ? RefundedOf(n, code, a) : null;
            var subject = code == "04" || refunded is { Amount: > 0 } ? NotificationSubject.Refund : NotificationSubject.Payment;
            var identity = refunded is { Amount: > 0 } r ? $"{reference}:{code}:refunded:{r.Amount}" : $"{reference}:{code}";
            return WebhookVerification.Accept(new ProviderNotification(identity, subject, reference, "qris:" + reference, mapped, null, amount, desc ?? code));
        }

        return WebhookVerification.Reject("missing Signature");
    }

    private async Task<ProviderResult<ProviderPayment>> CreateVaAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        var minutes = Math.Max(1, (long)Math.Ceiling((request.ExpiresAt - timeProvider.GetUtcNow()).TotalMinutes));
        var body = new JsonObject
        {
            ["order"] = new JsonObject { ["invoice_number"] = request.AttemptId, ["amount"] = request.Amount.Amount },
            ["virtual_account_info"] = new JsonObject
            {
                ["expired_time"] = minutes,
                ["reusable_status"] = false,
                ["info1"] = Truncate(request.Description ?? request.OrderId, 20),
            },
            ["customer"] = new JsonObject { ["name"] = request.CustomerName ?? "Customer", ["email"] = request.CustomerEmail ?? "customer@invalid.example" },
        };
        var result = await NonSnapAsync(HttpMethod.Post, $"/{request.Bank}-virtual-account/v2/payment-code", body, cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        var number = answer["virtual_account_info"]?["virtual_account_number"]?.GetValue<string>();
        if (number is null)
        {
            return ProviderHttp.Declined("provider_bad_response", "DOKU answered without a VA number.");
        }

        var expires = DateTimeOffset.TryParse(answer["virtual_account_info"]?["expired_date_utc"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e.ToUniversalTime() : request.ExpiresAt;
        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(request.AttemptId, PaymentInstructions.Va(request.Bank!, number), expires, PaymentStatus.Pending));
    }

    private async Task<ProviderResult<ProviderPayment>> CreateQrisAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["partnerReferenceNo"] = request.AttemptId,
            ["amount"] = SnapAmount(request.Amount),
            ["merchantId"] = options.Value.QrisMerchantId,
            ["terminalId"] = options.Value.QrisTerminalId,
            ["validityPeriod"] = Snap(request.ExpiresAt),
        };
        var result = await SnapAsync(QrisPath + "qr-mpm-generate", body, cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        var content = answer["qrContent"]?.GetValue<string>();
        if (content is null)
        {
            return ProviderHttp.Declined("provider_bad_response", "DOKU answered without QR content.");
        }

        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment("qris:" + request.AttemptId, PaymentInstructions.Qris(content), request.ExpiresAt, PaymentStatus.Pending));
    }

    private async Task<ProviderResult<ProviderPaymentState>> VaStateAsync(string invoice, CancellationToken cancellationToken)
    {
        var result = await NonSnapAsync(HttpMethod.Get, $"/orders/v1/status/{Uri.EscapeDataString(invoice)}", null, cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        var raw = answer["transaction"]?["status"]?.GetValue<string>() ?? "";
        var status = MapVa(raw);
        Money? paid = status == PaymentStatus.Paid && answer["order"]?["amount"] is JsonValue a && a.TryGetValue<long>(out var amount) ? new Money(amount, Currency.Idr) : null;

        // DOKU reports only that the transaction was refunded, not how much: it gave the whole amount back.
        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(invoice, status, paid, raw) { RefundedAmount = raw == "REFUNDED" ? paid : null });
    }

    private async Task<ProviderResult<ProviderPaymentState>> QrisStateAsync(string call, string providerReference, CancellationToken cancellationToken)
    {
        var reference = providerReference["qris:".Length..];
        var body = new JsonObject
        {
            ["originalPartnerReferenceNo"] = reference,
            ["serviceCode"] = call == "qr-mpm-query" ? "47" : "77",
            ["merchantId"] = options.Value.QrisMerchantId,
        };
        var result = await SnapAsync(QrisPath + call, body, cancellationToken);
        if (result.Value is not { } answer)
        {
            return result.Failure!;
        }

        if (call == "qr-mpm-cancel")
        {
            return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(providerReference, PaymentStatus.Cancelled, null, "CANCELLED"));
        }

        var code = answer["latestTransactionStatus"]?.GetValue<string>() ?? "";
        var desc = answer["transactionStatusDesc"]?.GetValue<string>();
        var status = MapSnap(code, desc);
        var paid = status == PaymentStatus.Paid ? ParseSnapAmount(answer["amount"]) : null;
        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(providerReference, status, paid, desc ?? code) { RefundedAmount = paid is { } p ? RefundedOf(answer, code, p) : null });
    }

    /// <summary>
    /// What DOKU has given back: the sum of <c>refundHistory</c> when the query lists it; otherwise the
    /// whole amount once the status is 04 (refunded), and unknown before that.
    /// </summary>
    private static Money? RefundedOf(JsonNode answer, string code, Money paid)
    {
        if (answer["refundHistory"] is JsonArray history)
        {
            var total = 0L;
            foreach (var refund in history)
            {
                if (refund?["refundStatus"]?.GetValue<string>() is null or "00" && ParseSnapAmount(refund?["refundAmount"]) is { } amount)
                {
                    total += amount.Amount;
                }
            }

            return new Money(total, paid.Currency);
        }

        return code == "04" ? paid : null;
    }

    private static PaymentStatus MapVa(string status) => status switch
    {
        "SUCCESS" or "REFUNDED" => PaymentStatus.Paid, // a refunded transaction took its money; the refund is an amount
        "FAILED" => PaymentStatus.Failed,
        "EXPIRED" => PaymentStatus.Expired,
        _ => PaymentStatus.Pending,
    };

    /// <summary>BI-SNAP's <c>latestTransactionStatus</c>: 00 success, 04 refunded, 05 cancelled, 06 failed (or expired, by its description).</summary>
    private static PaymentStatus MapSnap(string code, string? description) => code switch
    {
        "00" or "04" => PaymentStatus.Paid,
        "05" => PaymentStatus.Cancelled,
        "06" when string.Equals(description, "EXPIRED", StringComparison.OrdinalIgnoreCase) => PaymentStatus.Expired,
        "06" => PaymentStatus.Failed,
        _ => PaymentStatus.Pending,
    };

    private static JsonObject SnapAmount(Money amount) => new()
    {
        ["value"] = amount.Amount.ToString(CultureInfo.InvariantCulture) + ".00",
        ["currency"] = amount.Currency.Code,
    };

    private static Money? ParseSnapAmount(JsonNode? amount)
    {
        var value = amount?["value"]?.GetValue<string>();
        return value is not null && value.EndsWith(".00", StringComparison.Ordinal)
            && long.TryParse(value.AsSpan(0, value.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var whole)
            && Currency.TryParse(amount!["currency"]?.GetValue<string>(), out var currency)
            ? new Money(whole, currency)
            : null;
    }

    private static string Snap(DateTimeOffset t) => t.ToOffset(Wib).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static JsonNode? Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A Non-SNAP call: the path is DOKU's, without the base URL's own path.</summary>
    private Task<ProviderResult<JsonNode>> NonSnapAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        string? digest = null;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            digest = DokuSignature.Digest(bytes);
        }

        var requestId = Guid.NewGuid().ToString();
        var timestamp = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("Client-Id", o.ClientId);
        request.Headers.TryAddWithoutValidation("Request-Id", requestId);
        request.Headers.TryAddWithoutValidation("Request-Timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("Signature", DokuSignature.NonSnap(o.ClientId, requestId, timestamp, path, digest, o.SecretKey));
        return ProviderHttp.SendAsync(http, request, r => ReadAsync(r, snap: false, cancellationToken), cancellationToken);
    }

    private async Task<ProviderResult<JsonNode>> SnapAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken);
        if (token.Value is not { } accessToken)
        {
            return token.Failure!;
        }

        var o = options.Value;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var timestamp = Snap(timeProvider.GetUtcNow());
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + accessToken);
        request.Headers.TryAddWithoutValidation("X-TIMESTAMP", timestamp);
        request.Headers.TryAddWithoutValidation("X-PARTNER-ID", o.ClientId);
        request.Headers.TryAddWithoutValidation("X-EXTERNAL-ID", RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("CHANNEL-ID", "H2H");
        request.Headers.TryAddWithoutValidation("X-SIGNATURE", DokuSignature.Snap("POST", path, accessToken, bytes, timestamp, o.ClientSecret));
        return await ProviderHttp.SendAsync(http, request, r => ReadAsync(r, snap: true, cancellationToken), cancellationToken);
    }

    /// <summary>The SNAP B2B token, asked for with an RSA signature over "clientId|timestamp" and kept until shortly before it lapses.</summary>
    private async Task<ProviderResult<string>> TokenAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_token is { } cached && cached.Until > now)
        {
            return ProviderResult<string>.Ok(cached.Value);
        }

        await _tokenGate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } again && again.Until > now)
            {
                return ProviderResult<string>.Ok(again.Value);
            }

            var o = options.Value;
            var timestamp = Snap(now);
            string signature;
            using (var rsa = RSA.Create())
            {
                rsa.ImportFromPem(o.PrivateKeyPem);
                signature = Convert.ToBase64String(rsa.SignData(Encoding.UTF8.GetBytes(o.ClientId + "|" + timestamp), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            }

            var request = ProviderHttp.JsonRequest(HttpMethod.Post, "authorization/v1/access-token/b2b", new JsonObject { ["grantType"] = "client_credentials" });
            request.Headers.TryAddWithoutValidation("X-CLIENT-KEY", o.ClientId);
            request.Headers.TryAddWithoutValidation("X-TIMESTAMP", timestamp);
            request.Headers.TryAddWithoutValidation("X-SIGNATURE", signature);
            var result = await ProviderHttp.SendAsync(http, request, r => ReadAsync(r, snap: true, cancellationToken), cancellationToken);
            if (result.Value is not { } answer)
            {
                return result.Failure!;
            }

            var token = answer["accessToken"]?.GetValue<string>();
            if (token is null)
            {
                return ProviderHttp.Declined("provider_bad_response", "DOKU answered without an access token.");
            }

            var seconds = int.TryParse(answer["expiresIn"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 900;
            _token = new AccessToken(token, now.AddSeconds(Math.Max(30, seconds - 60)));
            return ProviderResult<string>.Ok(token);
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private async Task<ProviderResult<JsonNode>> ReadAsync(HttpResponseMessage response, bool snap, CancellationToken cancellationToken)
    {
        var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        if ((int)response.StatusCode == 401 && snap)
        {
            _token = null; // a lapsed or revoked token: the next call asks for a new one
        }

        var responseCode = node?["responseCode"]?.GetValue<string>();
        if (!response.IsSuccessStatusCode || (snap && responseCode is not null && !responseCode.StartsWith("200", StringComparison.Ordinal)))
        {
            var message = node?["responseMessage"]?.GetValue<string>() ?? node?["error"]?["message"]?.GetValue<string>() ?? $"DOKU answered {(int)response.StatusCode}.";
            return ProviderHttp.Declined((int)response.StatusCode == 404 ? "provider_unknown_payment" : "provider_declined", message);
        }

        return node is null ? ProviderHttp.Declined("provider_bad_response", "DOKU answered nothing.") : ProviderResult<JsonNode>.Ok(node);
    }
}

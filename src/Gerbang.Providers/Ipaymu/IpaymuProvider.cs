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

namespace Gerbang.Providers.Ipaymu;

public sealed class IpaymuOptions
{
    public const string Section = "Providers:Ipaymu";

    public Uri? BaseUrl { get; set; }

    /// <summary>The merchant's iPaymu VA number: sent with every request and the key of callback signatures.</summary>
    public string Va { get; set; } = "";

    public string ApiKey { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// iPaymu API v2 direct payments: VA at every bank the contract names and QRIS (channel <c>mpm</c>),
/// each request signed with the API key over the exact bytes sent, status by transaction id, and
/// callbacks verified by their <c>X-Signature</c> keyed by the VA over the canonical JSON (JSON or form
/// mode). iPaymu offers no public cancel, refund or payout call: those are declined, and an instrument
/// that is no longer wanted lapses at its own expiry.
/// </summary>
public sealed class IpaymuProvider(HttpClient http, IOptions<IpaymuOptions> options, TimeProvider timeProvider) : IPaymentProvider
{
    public const string ProviderName = "ipaymu";
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    public string Name => ProviderName;

    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
    [
        new(PaymentMethod.Va, PaymentMethods.VaBanks, Currency.Idr, 10_000, 100_000_000),
        new(PaymentMethod.Qris, null, Currency.Idr, 1_000, 10_000_000),
    ];

    public bool CanRefund(PaymentMethod method) => false;

    public async Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        var qris = request.Method == PaymentMethod.Qris;
        var body = new JsonObject
        {
            ["name"] = request.CustomerName ?? "Customer",
            ["phone"] = "0000000000",
            ["email"] = request.CustomerEmail ?? "customer@invalid.example",
            ["amount"] = request.Amount.Amount,
            ["notifyUrl"] = request.NotificationUrl.ToString(),
            ["referenceId"] = request.AttemptId,
            ["paymentMethod"] = qris ? "qris" : "va",
            ["paymentChannel"] = qris ? "mpm" : request.Bank,
            ["comments"] = request.Description ?? request.OrderId,
        };
        if (!qris)
        {
            body["expired"] = ExpiryHours(request.Bank!, request.ExpiresAt - timeProvider.GetUtcNow());
        }

        var result = await SendAsync("api/v2/payment/direct", body, cancellationToken);
        if (result.Value is not { } data)
        {
            return result.Failure!;
        }

        var reference = Text(data["TransactionId"]);
        if (reference is null)
        {
            return ProviderHttp.Declined("provider_bad_response", "iPaymu answered without a transaction id.");
        }

        var instructions = qris
            ? PaymentInstructions.Qris(Text(data["QrString"]) ?? Text(data["PaymentNo"]) ?? "")
            : PaymentInstructions.Va(request.Bank!, Text(data["PaymentNo"]) ?? "");
        return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(reference, instructions, ParseTime(Text(data["Expired"])) ?? request.ExpiresAt, PaymentStatus.Pending));
    }

    public async Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken)
    {
        JsonNode id = long.TryParse(providerReference, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) ? JsonValue.Create(numeric) : JsonValue.Create(providerReference);
        var result = await SendAsync("api/v2/transaction", new JsonObject { ["transactionId"] = id }, cancellationToken);
        if (result.Value is not { } data)
        {
            return result.Failure!;
        }

        var code = Text(data["Status"]) ?? "";
        var status = Map(code);
        Money? paid = status == PaymentStatus.Paid && long.TryParse(Text(data["Amount"]), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) ? new Money(a, Currency.Idr) : null;

        // Status 3 is a refunded transaction: it took its money and gave all of it back.
        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(providerReference, status, paid, Text(data["StatusDesc"]) ?? code) { RefundedAmount = code == "3" ? paid : null });
    }

    public Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("cancel_not_supported", "iPaymu cannot cancel a payment; it lapses at its expiry."));

    public Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPaymentState>>(ProviderHttp.Declined("capture_not_supported", "iPaymu payments are not captured separately."));

    public Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderRefund>>(ProviderHttp.Declined("refund_not_supported", "iPaymu offers no refund call."));

    public Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderResult<ProviderPayout>>(ProviderHttp.Declined("payout_not_supported", "iPaymu offers no payout call."));

    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        var presented = webhook.Header("X-Signature");
        if (presented is null)
        {
            return WebhookVerification.Reject("missing X-Signature");
        }

        JsonObject fields;
        try
        {
            fields = (webhook.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                ? IpaymuCanonicalJson.FromForm(ParseForm(Encoding.UTF8.GetString(webhook.Body.Span)))
                : JsonNode.Parse(webhook.Body.Span) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return WebhookVerification.Reject("unreadable body");
        }

        if (options.Value.Va.Length == 0 || !IpaymuSignature.VerifyCallback(IpaymuCanonicalJson.Of(fields), presented, options.Value.Va))
        {
            return WebhookVerification.Reject("signature mismatch");
        }

        var transactionId = Text(fields["trx_id"]);
        var code = Text(fields["status_code"]);
        if (transactionId is null || code is null)
        {
            return WebhookVerification.Reject("incomplete notification");
        }

        var effective = code == "1" && Text(fields["transaction_status_code"]) is { } settled ? settled : code;
        var status = Map(effective);
        Money? amount = status == PaymentStatus.Paid && long.TryParse(Text(fields["amount"]), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) ? new Money(a, Currency.Idr) : null;

        // Status 3 reports a refund of a paid transaction: never money in.
        return WebhookVerification.Accept(new ProviderNotification(
            $"{transactionId}:{code}", effective == "3" ? NotificationSubject.Refund : NotificationSubject.Payment, Text(fields["reference_id"]), transactionId, status, null, amount, Text(fields["status"]) ?? code));
    }

    /// <summary>iPaymu's status codes (providers.md §4): 1 and 6 paid (settled or not), 0 pending, -2 expired.</summary>
    private static PaymentStatus Map(string code) => code switch
    {
        "1" or "6" or "3" or "7" => PaymentStatus.Paid, // 3 (refunded) took its money; the refund is an amount
        "2" => PaymentStatus.Cancelled,
        "4" or "5" => PaymentStatus.Failed,
        "-2" => PaymentStatus.Expired,
        _ => PaymentStatus.Pending,
    };

    /// <summary>Whole hours, within what iPaymu allows per bank: BRI 2, BSI 3, BCA fixed at 12.</summary>
    private static long ExpiryHours(string bank, TimeSpan wanted)
    {
        var hours = Math.Max(1, (long)Math.Ceiling(wanted.TotalHours));
        return bank switch
        {
            "bca" => 12,
            "bri" => Math.Min(hours, 2),
            "bsi" => Math.Min(hours, 3),
            _ => Math.Min(hours, 24 * 30),
        };
    }

    private async Task<ProviderResult<JsonNode>> SendAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("va", options.Value.Va);
        request.Headers.TryAddWithoutValidation("signature", IpaymuSignature.Request(options.Value.Va, bytes, options.Value.ApiKey));
        request.Headers.TryAddWithoutValidation("timestamp", timeProvider.GetUtcNow().ToOffset(Wib).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        return await ProviderHttp.SendAsync(http, request, r => ReadAsync(r, cancellationToken), cancellationToken);
    }

    private static async Task<ProviderResult<JsonNode>> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var status = Text(node?["Status"]);
        if (!response.IsSuccessStatusCode || status != "200" || node?["Data"] is not { } data)
        {
            return ProviderHttp.Declined(
                status == "404" || (int)response.StatusCode == 404 ? "provider_unknown_payment" : "provider_declined",
                Text(node?["Message"]) ?? $"iPaymu answered {(int)response.StatusCode}.");
        }

        return ProviderResult<JsonNode>.Ok(data);
    }

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.String => e.GetString(),
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, Wib).ToUniversalTime()
            : null;

    private static IEnumerable<KeyValuePair<string, string>> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            return KeyValuePair.Create(Uri.UnescapeDataString(key.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' ')));
        });
}

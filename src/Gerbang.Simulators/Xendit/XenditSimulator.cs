using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gerbang.Simulators.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Simulators.Xendit;

public sealed class XenditSimulatorOptions
{
    public const string Section = "Simulators:Xendit";

    public string SecretKey { get; set; } = "";

    public string CallbackToken { get; set; } = "";

    public string CallbackUrl { get; set; } = "";

    /// <summary>Where payout webhooks go; by default the gateway's <c>/webhooks/xendit/payouts</c>.</summary>
    public string PayoutCallbackUrl { get; set; } = "";

    /// <summary>Unconfirmed in Xendit's documents: whether an expiry is notified. On by default here.</summary>
    public bool NotifyExpiry { get; set; } = true;
}

public sealed class XenditPaymentRequest
{
    public required string Id { get; init; }

    public required string ReferenceId { get; init; }

    public required long Amount { get; init; }

    public required string ChannelCode { get; init; }

    public required string Value { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Where this request's webhooks go: the configured callback URL, else the gateway the simulator is mounted in.</summary>
    public required Uri CallbackUrl { get; init; }

    public string Status { get; set; } = "ACCEPTING_PAYMENTS";

    public string? PaymentId { get; set; }

    public long Refunded { get; set; }

    /// <summary>Refunds on this payment request, the merchant system's (by idempotency key) and the dashboard's.</summary>
    public List<XenditRefund> Refunds { get; } = [];
}

public sealed class XenditPayout
{
    public required string Id { get; init; }

    public required string ReferenceId { get; init; }

    public required string IdempotencyKey { get; init; }

    public required long Amount { get; init; }

    public required string ChannelCode { get; init; }

    public required string AccountNumber { get; init; }

    public required Uri CallbackUrl { get; init; }

    public string Status { get; set; } = "ACCEPTED";
}

/// <summary>What the simulated Xendit remembers.</summary>
public sealed class XenditSimulatorState
{
    public ConcurrentDictionary<string, XenditPaymentRequest> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>Payment requests by the <c>idempotency-key</c> that created them.</summary>
    public ConcurrentDictionary<string, string> PaymentRequestKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Payouts by idempotency key.</summary>
    public ConcurrentDictionary<string, XenditPayout> Payouts { get; } = new(StringComparer.Ordinal);

    public SimulatorKnobs Knobs { get; } = new();

    public XenditPayout? FindPayout(string id) =>
        Payouts.TryGetValue(id, out var p) ? p : Payouts.Values.FirstOrDefault(x => x.Id == id || x.ReferenceId == id);

    /// <summary>Payment request ids to reference ids.</summary>
    public ConcurrentDictionary<string, string> ById { get; } = new(StringComparer.Ordinal);

    public XenditPaymentRequest? Find(string id) =>
        Requests.TryGetValue(id, out var r) ? r : ById.TryGetValue(id, out var reference) && Requests.TryGetValue(reference, out var byId) ? byId : null;
}

/// <summary>
/// Xendit Payments API v3 as Xendit speaks it: Basic auth with the secret key, <c>api-version</c>
/// 2024-11-11, payment requests whose <c>actions</c> present the VA number or QR string, refunds at
/// <c>/refunds</c>, and webhooks authenticated only by the <c>x-callback-token</c> header.
/// </summary>
/// <summary>A refund as Xendit keeps it.</summary>
public sealed record XenditRefund(string Id, string? IdempotencyKey, string? ReferenceId, string PaymentRequestId, long Amount, string Status, string Created)
{
    public JsonObject View() => new()
    {
        ["id"] = Id,
        ["payment_request_id"] = PaymentRequestId,
        ["reference_id"] = ReferenceId,
        ["amount"] = Amount,
        ["currency"] = "IDR",
        ["status"] = Status,
        ["reason"] = "REQUESTED_BY_CUSTOMER",
        ["created"] = Created,
    };
}

public static class XenditSimulator
{
    public static void MapXenditSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var api = routes.MapGroup(prefix).AddEndpointFilter(SimulatorHttp.Basic<XenditSimulatorOptions>(o => o.SecretKey.Length > 0 ? (o.SecretKey, "") : null, new JsonObject { ["error_code"] = "INVALID_API_KEY", ["message"] = "API key is invalid" })).AddEndpointFilter(SimulatorKnobs.Filter<XenditSimulatorState>(s => s.Knobs, new JsonObject { ["error_code"] = "SERVER_ERROR", ["message"] = "Service unavailable" })).ExcludeFromDescription();

        api.MapPost("/v3/payment_requests", CreateAsync);
        api.MapGet("/v3/payment_requests/{id}", (string id, XenditSimulatorState state, TimeProvider clock) => state.Find(id) is { } r ? Results.Json(View(r, clock)) : NotFound());
        api.MapPost("/v3/payment_requests/{id}/cancel", (string id, XenditSimulatorState state, TimeProvider clock) =>
        {
            if (state.Find(id) is not { } r)
            {
                return NotFound();
            }

            if (r.Status != "ACCEPTING_PAYMENTS")
            {
                return Results.Json(new JsonObject { ["error_code"] = "INVALID_STATUS", ["message"] = $"Payment request is {r.Status}" }, statusCode: 409);
            }

            r.Status = "CANCELED";
            return Results.Json(View(r, clock));
        });
        api.MapPost("/refunds", (HttpRequest request) => RefundAsync(request.HttpContext));
        api.MapGet("/refunds", (HttpRequest request, XenditSimulatorState state) =>
        {
            var id = request.Query["payment_request_id"].ToString();
            var refunds = state.Find(id) is { } r ? r.Refunds.ToList() : [];
            return Results.Json(new JsonObject { ["data"] = new JsonArray([.. refunds.Select(x => (JsonNode)x.View())]), ["has_more"] = false });
        });
        api.MapPost("/control/{id}/refund", ProviderRefundAsync);
        api.MapPost("/v2/payouts", PayoutAsync);
        api.MapGet("/v2/payouts/{id}", (string id, XenditSimulatorState state) => state.FindPayout(id) is { } p ? Results.Json(PayoutView(p)) : NotFound());
        api.MapPost("/control/payouts/{id}/succeed", (string id, HttpContext http) => SettlePayoutAsync(id, "SUCCEEDED", http));
        api.MapPost("/control/payouts/{id}/fail", (string id, HttpContext http) => SettlePayoutAsync(id, "FAILED", http));
        SimulatorKnobs.MapControl<XenditSimulatorState>(api.MapGroup("/control"), s => s.Knobs);
        api.MapPost("/control/{id}/pay", (string id, HttpContext http) => NotifyAsync(id, "SUCCEEDED", http));
        api.MapPost("/control/{id}/fail", (string id, HttpContext http) => NotifyAsync(id, "FAILED", http));
        api.MapPost("/control/{id}/expire", (string id, HttpContext http) => NotifyAsync(id, "EXPIRED", http));
    }

    private static JsonObject PayoutView(XenditPayout p) => new()
    {
        ["id"] = p.Id,
        ["reference_id"] = p.ReferenceId,
        ["business_id"] = "sim-business",
        ["amount"] = p.Amount,
        ["currency"] = "IDR",
        ["channel_code"] = p.ChannelCode,
        ["channel_properties"] = new JsonObject { ["account_number"] = p.AccountNumber },
        ["status"] = p.Status,
    };

    private static async Task<IResult> PayoutAsync(HttpRequest request, XenditSimulatorState state, IOptions<XenditSimulatorOptions> options)
    {
        var key = request.Headers["Idempotency-key"].ToString();
        if (key.Length == 0)
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VALIDATION_ERROR", ["message"] = "Idempotency-key header is required" }, statusCode: 400);
        }

        var body = await JsonNode.ParseAsync(request.Body);
        var reference = body?["reference_id"]?.GetValue<string>();
        var channel = body?["channel_code"]?.GetValue<string>();
        var account = body?["channel_properties"]?["account_number"]?.GetValue<string>();
        var amount = body?["amount"] is JsonValue a && a.TryGetValue<long>(out var n) ? n : 0;
        if (reference is null || channel is null || !channel.StartsWith("ID_", StringComparison.Ordinal) || account is null || amount <= 0)
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VALIDATION_ERROR", ["message"] = "reference_id, channel_code, channel_properties.account_number and amount are required" }, statusCode: 400);
        }

        var payout = state.Payouts.GetOrAdd(key, _ => new XenditPayout
        {
            Id = "disb-" + Guid.NewGuid().ToString("N"),
            ReferenceId = reference,
            IdempotencyKey = key,
            Amount = amount,
            ChannelCode = channel,
            AccountNumber = account,
            CallbackUrl = SimulatorHttp.NotificationUrl(request, options.Value.PayoutCallbackUrl, "/webhooks/xendit/payouts"),
        });
        if (payout.ReferenceId != reference || payout.Amount != amount)
        {
            return Results.Json(new JsonObject { ["error_code"] = "DUPLICATE_ERROR", ["message"] = "Idempotency-key was used with another request" }, statusCode: 409);
        }

        return Results.Json(PayoutView(payout));
    }

    private static async Task<IResult> SettlePayoutAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<XenditSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<XenditSimulatorOptions>>().Value;
        if (state.FindPayout(id) is not { } p)
        {
            return NotFound();
        }

        if (state.Knobs.StuckPayouts)
        {
            return Results.Json(new JsonObject { ["error_code"] = "PAYOUT_STUCK", ["message"] = "The bank has not answered" }, statusCode: 409);
        }

        p.Status = status;
        var body = new JsonObject
        {
            ["event"] = status == "SUCCEEDED" ? "payout.succeeded" : "payout.failed",
            ["business_id"] = "sim-business",
            ["created"] = Time(http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()),
            ["data"] = PayoutView(p),
        };
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var answered = await NotificationSender.DeliverAsync(state.Knobs, client, p.CallbackUrl, body.ToJsonString(), new Dictionary<string, string> { ["x-callback-token"] = options.CallbackToken }, http.RequestAborted);
        return Results.Json(new JsonObject { ["id"] = p.Id, ["receiver_status"] = answered });
    }

    private static IResult NotFound() => Results.Json(new JsonObject { ["error_code"] = "DATA_NOT_FOUND", ["message"] = "Payment request not found" }, statusCode: 404);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject View(XenditPaymentRequest r, TimeProvider clock)
    {
        if (r.Status == "ACCEPTING_PAYMENTS" && r.ExpiresAt <= clock.GetUtcNow())
        {
            r.Status = "EXPIRED";
        }

        return new JsonObject
        {
            ["payment_request_id"] = r.Id,
            ["reference_id"] = r.ReferenceId,
            ["business_id"] = "sim-business",
            ["type"] = "PAY",
            ["country"] = "ID",
            ["currency"] = "IDR",
            ["request_amount"] = r.Amount,
            ["channel_code"] = r.ChannelCode,
            ["channel_properties"] = new JsonObject { ["expires_at"] = Time(r.ExpiresAt) },
            ["status"] = r.Status,
            ["latest_payment_id"] = r.PaymentId,
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "PRESENT_TO_CUSTOMER",
                ["descriptor"] = r.ChannelCode == "QRIS" ? "QR_STRING" : "VIRTUAL_ACCOUNT_NUMBER",
                ["value"] = r.Value,
            }),
        };
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, XenditSimulatorState state, IOptions<XenditSimulatorOptions> options, TimeProvider clock)
    {
        if (request.Headers["api-version"].ToString() != "2024-11-11")
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VERSION_INVALID", ["message"] = "api-version 2024-11-11 is required" }, statusCode: 400);
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body);
        }
        catch (JsonException)
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VALIDATION_ERROR", ["message"] = "Invalid JSON" }, statusCode: 400);
        }

        var reference = body?["reference_id"]?.GetValue<string>();
        var channel = body?["channel_code"]?.GetValue<string>();
        var amount = body?["request_amount"]?.GetValue<long>();
        if (reference is null || channel is null || amount is not > 0)
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VALIDATION_ERROR", ["message"] = "reference_id, channel_code and request_amount are required" }, statusCode: 400);
        }

        // Xendit's idempotency-key: the same key answers the first answer again; with another request it is refused.
        var key = request.Headers["idempotency-key"].ToString();
        if (key.Length > 0 && state.PaymentRequestKeys.TryGetValue(key, out var first))
        {
            return first == reference && state.Requests.TryGetValue(first, out var replay)
                ? Results.Json(View(replay, clock), statusCode: 201)
                : Results.Json(new JsonObject { ["error_code"] = "IDEMPOTENCY_ERROR", ["message"] = "idempotency-key was used with another request" }, statusCode: 409);
        }

        if (state.Requests.TryGetValue(reference, out var existing))
        {
            return Results.Json(View(existing, clock));
        }

        var expiresText = body!["channel_properties"]?["expires_at"]?.GetValue<string>();
        var expires = DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e : clock.GetUtcNow().AddDays(1);
        var value = channel == "QRIS"
            ? Qris.Build("GERBANG XENDIT SIM", "JAKARTA", amount.Value, reference)
            : channel.EndsWith("_VIRTUAL_ACCOUNT", StringComparison.Ordinal)
                ? "88608" + RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture)
                : null;
        if (value is null)
        {
            return Results.Json(new JsonObject { ["error_code"] = "CHANNEL_NOT_ACTIVATED", ["message"] = $"{channel} is not activated" }, statusCode: 403);
        }

        var created = state.Requests.GetOrAdd(reference, _ => new XenditPaymentRequest
        {
            Id = "pr-" + Guid.NewGuid().ToString("N"),
            ReferenceId = reference,
            Amount = amount.Value,
            ChannelCode = channel,
            Value = value,
            ExpiresAt = expires,
            CallbackUrl = SimulatorHttp.NotificationUrl(request, options.Value.CallbackUrl, "/webhooks/xendit"),
        });
        state.ById[created.Id] = created.ReferenceId;
        if (key.Length > 0)
        {
            state.PaymentRequestKeys.TryAdd(key, created.ReferenceId);
        }

        return Results.Json(View(created, clock), statusCode: 201);
    }

    /// <summary>
    /// <c>POST /refunds</c>: a replay under the same <c>idempotency-key</c> answers the first refund and
    /// refunds nothing more. Xendit announces the refund with <c>refund.succeeded</c>.
    /// </summary>
    private static async Task<IResult> RefundAsync(HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<XenditSimulatorState>();
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body);
        }
        catch (JsonException)
        {
            return Results.Json(new JsonObject { ["error_code"] = "API_VALIDATION_ERROR", ["message"] = "Invalid JSON" }, statusCode: 400);
        }

        var id = body?["payment_request_id"]?.GetValue<string>();
        var amount = body?["amount"]?.GetValue<long>();
        if (id is null || state.Find(id) is not { } r)
        {
            return NotFound();
        }

        var key = http.Request.Headers["idempotency-key"].ToString();
        XenditRefund made;
        lock (r)
        {
            if (key.Length > 0 && r.Refunds.FirstOrDefault(x => x.IdempotencyKey == key) is { } replay)
            {
                return Results.Json(replay.View());
            }

            var refund = amount ?? r.Amount - r.Refunded;
            if (r.ChannelCode != "QRIS" || r.Status != "SUCCEEDED" || refund <= 0 || r.Refunded + refund > r.Amount)
            {
                return Results.Json(new JsonObject { ["error_code"] = "REFUND_NOT_SUPPORTED", ["message"] = "This payment cannot be refunded" }, statusCode: 400);
            }

            made = Refund(state, r, key.Length > 0 ? key : null, body!["reference_id"]?.GetValue<string>(), refund, http);
        }

        await NotifyRefundAsync(made, r, http);
        return Results.Json(made.View());
    }

    private static XenditRefund Refund(XenditSimulatorState state, XenditPaymentRequest r, string? key, string? referenceId, long amount, HttpContext http)
    {
        var made = new XenditRefund("rfd-" + Guid.NewGuid().ToString("N"), key, referenceId, r.Id, amount, "SUCCEEDED", Time(http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()));
        r.Refunded += amount;
        r.Refunds.Add(made);
        state.Knobs.Books.Refunded(r.ReferenceId, "IDR", amount);
        return made;
    }

    /// <summary>A refund made from the Xendit dashboard, which the merchant system did not ask for.</summary>
    private static async Task<IResult> ProviderRefundAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<XenditSimulatorState>();
        if (state.Find(id) is not { } r)
        {
            return NotFound();
        }

        long? asked = http.Request.HasJsonContentType() ? (await JsonNode.ParseAsync(http.Request.Body))?["amount"]?.GetValue<long>() : null;
        XenditRefund made;
        lock (r)
        {
            var amount = asked ?? r.Amount - r.Refunded;
            if (r.Status != "SUCCEEDED" || amount <= 0 || r.Refunded + amount > r.Amount)
            {
                return Results.Json(new JsonObject { ["error_code"] = "REFUND_NOT_SUPPORTED", ["message"] = "This payment cannot be refunded" }, statusCode: 409);
            }

            made = Refund(state, r, null, null, amount, http);
        }

        var answered = await NotifyRefundAsync(made, r, http);
        return Results.Json(new JsonObject { ["id"] = made.Id, ["receiver_status"] = answered });
    }

    private static Task<int?> NotifyRefundAsync(XenditRefund refund, XenditPaymentRequest r, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<XenditSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<XenditSimulatorOptions>>().Value;
        var body = new JsonObject
        {
            ["event"] = refund.Status == "SUCCEEDED" ? "refund.succeeded" : "refund.failed",
            ["business_id"] = "sim-business",
            ["created"] = refund.Created,
            ["data"] = refund.View(),
        };
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        return NotificationSender.DeliverAsync(state.Knobs, client, r.CallbackUrl, body.ToJsonString(), new Dictionary<string, string> { ["x-callback-token"] = options.CallbackToken }, http.RequestAborted);
    }

    /// <summary>The customer pays (or the payment fails or lapses): Xendit posts its webhook with the callback token.</summary>
    private static async Task<IResult> NotifyAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<XenditSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<XenditSimulatorOptions>>().Value;
        if (state.Find(id) is not { } r)
        {
            return NotFound();
        }

        lock (r)
        {
            // A paid request stays paid (it can only be refunded); a closed one can be paid only when the
            // run lets payments arrive after expiry.
            if (r.Status == "SUCCEEDED" || (r.Status is "EXPIRED" or "CANCELED" or "FAILED" && !(status == "SUCCEEDED" && state.Knobs.PayAfterExpiry)))
            {
                return Results.Json(new JsonObject { ["error_code"] = "INVALID_STATUS", ["message"] = $"Payment request is {r.Status}" }, statusCode: 409);
            }

            if (status == "SUCCEEDED")
            {
                state.Knobs.Books.Taken(r.ReferenceId, "IDR", r.Amount);
            }

            r.Status = status;
        }

        r.PaymentId ??= "py-" + Guid.NewGuid().ToString("N");
        if (status == "EXPIRED" && !options.NotifyExpiry)
        {
            return Results.Json(new JsonObject { ["payment_request_id"] = r.Id, ["receiver_status"] = 200 });
        }

        var body = new JsonObject
        {
            ["event"] = status switch { "SUCCEEDED" => "payment.capture", "EXPIRED" => "payment_request.expiry", _ => "payment.failure" },
            ["business_id"] = "sim-business",
            ["created"] = Time(http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()),
            ["data"] = new JsonObject
            {
                ["payment_id"] = r.PaymentId,
                ["payment_request_id"] = r.Id,
                ["reference_id"] = r.ReferenceId,
                ["status"] = status,
                ["request_amount"] = r.Amount,
                ["currency"] = "IDR",
                ["channel_code"] = r.ChannelCode,
            },
        };
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var answered = await NotificationSender.DeliverAsync(state.Knobs, client, r.CallbackUrl, body.ToJsonString(), new Dictionary<string, string> { ["x-callback-token"] = options.CallbackToken }, http.RequestAborted);
        return Results.Json(new JsonObject { ["payment_request_id"] = r.Id, ["receiver_status"] = answered });
    }
}

using System.Collections.Concurrent;
using System.Globalization;
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

namespace Gerbang.Simulators.Doku;

public sealed class DokuSimulatorOptions
{
    public const string Section = "Simulators:Doku";

    public string ClientId { get; set; } = "";

    public string SecretKey { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>The merchant's RSA public key (PEM) that checks the B2B token request.</summary>
    public string MerchantPublicKeyPem { get; set; } = "";

    /// <summary>Where notifications go; by default the gateway the simulator is mounted in, at <c>/webhooks/doku</c>.</summary>
    public string NotificationUrl { get; set; } = "";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether DOKU notifies a QRIS refund (status <c>04</c> once the whole amount is back). DOKU's pages
    /// do not say; on by default so the gateway is tested against the notification.
    /// </summary>
    public bool RefundNotifications { get; set; } = true;

    /// <summary>Whether <c>qr-mpm-query</c> lists the refunds made (<c>refundHistory</c>, as BI-SNAP describes); unconfirmed for DOKU.</summary>
    public bool QueryRefundHistory { get; set; } = true;
}

public sealed class DokuPayment
{
    public required string Invoice { get; init; }

    public required long Amount { get; init; }

    /// <summary><c>va</c> or <c>qris</c>.</summary>
    public required string Kind { get; init; }

    public required string Bank { get; init; }

    public required string Instrument { get; init; }

    public required string OriginalRequestId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required Uri NotifyUrl { get; init; }

    public string ReferenceNo { get; } = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);

    /// <summary>DOKU's words: PENDING, SUCCESS, FAILED, EXPIRED, CANCELLED.</summary>
    public string Status { get; set; } = "PENDING";

    public long Refunded { get; set; }

    /// <summary>Each refund made: DOKU's refund number, the merchant's, the amount, when.</summary>
    public List<(string RefundNo, string? PartnerRefundNo, long Amount, DateTimeOffset At)> Refunds { get; } = [];

    public Lock Gate { get; } = new();
}

public sealed class DokuSimulatorState
{
    public ConcurrentDictionary<string, DokuPayment> Payments { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, DateTimeOffset> Tokens { get; } = new(StringComparer.Ordinal);

    public SimulatorKnobs Knobs { get; } = new();

    public ConcurrentQueue<(string Body, int? Answered)> Sent { get; } = new();
}

/// <summary>
/// DOKU as DOKU speaks it. Non-SNAP VA: <c>/{bank}-virtual-account/v2/payment-code</c> and
/// <c>/orders/v1/status/{invoice}</c>, each request's <c>Signature</c> checked over its Client-Id,
/// Request-Id, Request-Timestamp, path and body digest. SNAP QRIS: a B2B token granted only to a request
/// signed with the merchant's RSA key, then <c>qr-mpm-generate|query|cancel|refund</c> checked by their
/// bearer token and HMAC-SHA512 <c>X-SIGNATURE</c>. VA notifications are signed Non-SNAP over the
/// receiving path; QRIS notifications SNAP-style.
/// </summary>
public static class DokuSimulator
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);
    private static readonly string[] Banks = ["bca", "bni", "bri", "bsi", "mandiri", "permata", "cimb", "doku"];

    public static void MapDokuSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var knobs = SimulatorKnobs.Filter<DokuSimulatorState>(s => s.Knobs, Error("5005000", "Internal Server Error"));
        var nonSnap = routes.MapGroup(prefix).AddEndpointFilter((c, n) => RequireNonSnap(c, n, prefix)).AddEndpointFilter(knobs).ExcludeFromDescription();
        nonSnap.MapPost("/{channel}/v2/payment-code", CreateVaAsync);
        nonSnap.MapGet("/orders/v1/status/{invoice}", (string invoice, DokuSimulatorState state, TimeProvider clock) =>
            state.Payments.TryGetValue(invoice, out var p) ? Results.Json(VaStatus(p, clock)) : Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = "Invoice not found" } }, statusCode: 404));

        routes.MapPost(prefix + "/authorization/v1/access-token/b2b", TokenAsync).AddEndpointFilter(knobs).ExcludeFromDescription();
        var snap = routes.MapGroup(prefix + "/snap-adapter/b2b/v1.0/qr").AddEndpointFilter((c, n) => RequireSnap(c, n, prefix)).AddEndpointFilter(knobs).ExcludeFromDescription();
        snap.MapPost("/qr-mpm-generate", GenerateQrisAsync);
        snap.MapPost("/qr-mpm-query", (HttpRequest r, DokuSimulatorState s, TimeProvider c) => QrisCallAsync(r, s, c, "query"));
        snap.MapPost("/qr-mpm-cancel", (HttpRequest r, DokuSimulatorState s, TimeProvider c) => QrisCallAsync(r, s, c, "cancel"));
        snap.MapPost("/qr-mpm-refund", (HttpRequest r, DokuSimulatorState s, TimeProvider c) => QrisCallAsync(r, s, c, "refund"));

        // The test control API (not DOKU's): Basic clientId:secretKey.
        var control = routes.MapGroup(prefix + "/control").AddEndpointFilter(SimulatorHttp.Basic<DokuSimulatorOptions>(o => o.SecretKey.Length > 0 ? (o.ClientId, o.SecretKey) : null, Error("4010000", "Unauthorized"))).ExcludeFromDescription();
        control.MapPost("/{id}/pay", (string id, HttpContext http) => SettleAsync(id, "SUCCESS", http));
        control.MapPost("/{id}/fail", (string id, HttpContext http) => SettleAsync(id, "FAILED", http));
        control.MapPost("/{id}/expire", (string id, HttpContext http) => SettleAsync(id, "EXPIRED", http));
        control.MapPost("/{id}/refund", ProviderRefundAsync);
        SimulatorKnobs.MapControl<DokuSimulatorState>(control, s => s.Knobs);
    }

    private static JsonObject Error(string code, string message) => new() { ["responseCode"] = code, ["responseMessage"] = message };

    private static string Snap(DateTimeOffset t) => t.ToOffset(Wib).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static bool Same(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private static async ValueTask<object?> RequireNonSnap(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string prefix)
    {
        var http = context.HttpContext;
        var o = http.RequestServices.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value;
        var h = http.Request.Headers;
        var body = HttpMethods.IsPost(http.Request.Method) ? await SimulatorHttp.RawBodyAsync(http.Request) : null;
        var target = http.Request.Path.Value![prefix.Length..];
        var expected = ProviderSigners.DokuNonSnap(h["Client-Id"].ToString(), h["Request-Id"].ToString(), h["Request-Timestamp"].ToString(), target, body, o.SecretKey);
        if (o.SecretKey.Length == 0 || h["Client-Id"].ToString() != o.ClientId || h["Request-Id"].ToString().Length is 0 or > 128
            || !h["Request-Timestamp"].ToString().EndsWith('Z') || !Same(h["Signature"].ToString(), expected))
        {
            return Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = "invalid_signature", ["message"] = "Invalid Header Signature" } }, statusCode: 401);
        }

        return await next(context);
    }

    private static async ValueTask<object?> RequireSnap(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string prefix)
    {
        var http = context.HttpContext;
        var o = http.RequestServices.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value;
        var state = http.RequestServices.GetRequiredService<DokuSimulatorState>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var h = http.Request.Headers;
        var authorization = h.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : "";
        if (!state.Tokens.TryGetValue(token, out var until) || until <= clock.GetUtcNow())
        {
            return Results.Json(Error("4017301", "Invalid Token (B2B)"), statusCode: 401);
        }

        var body = await SimulatorHttp.RawBodyAsync(http.Request);
        var expected = ProviderSigners.DokuSnap("POST", http.Request.Path.Value![prefix.Length..], token, body, h["X-TIMESTAMP"].ToString(), o.ClientSecret);
        if (o.ClientSecret.Length == 0 || h["X-PARTNER-ID"].ToString() != o.ClientId || h["X-EXTERNAL-ID"].ToString().Length == 0 || !Same(h["X-SIGNATURE"].ToString(), expected))
        {
            return Results.Json(Error("4017300", "Unauthorized. Signature"), statusCode: 401);
        }

        return await next(context);
    }

    private static async Task<IResult> TokenAsync(HttpRequest request, DokuSimulatorState state, IOptions<DokuSimulatorOptions> options, TimeProvider clock)
    {
        var o = options.Value;
        var clientKey = request.Headers["X-CLIENT-KEY"].ToString();
        var timestamp = request.Headers["X-TIMESTAMP"].ToString();
        var valid = false;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(o.MerchantPublicKeyPem);
            valid = clientKey == o.ClientId && timestamp.Length > 0
                && rsa.VerifyData(Encoding.UTF8.GetBytes(clientKey + "|" + timestamp), Convert.FromBase64String(request.Headers["X-SIGNATURE"].ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or CryptographicException)
        {
            valid = false;
        }

        var body = await JsonNode.ParseAsync(request.Body);
        if (!valid || body?["grantType"]?.GetValue<string>() != "client_credentials")
        {
            return Results.Json(Error("4017300", "Unauthorized. Signature"), statusCode: 401);
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        state.Tokens[token] = clock.GetUtcNow() + o.TokenLifetime;
        return Results.Json(new JsonObject
        {
            ["responseCode"] = "2007300",
            ["responseMessage"] = "Successful",
            ["accessToken"] = token,
            ["tokenType"] = "Bearer",
            ["expiresIn"] = ((int)o.TokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        });
    }

    private static Uri NotifyUrl(HttpRequest request, DokuSimulatorOptions o) => SimulatorHttp.NotificationUrl(request, o.NotificationUrl, "/webhooks/doku");

    private static async Task<IResult> CreateVaAsync(string channel, HttpRequest request, DokuSimulatorState state, IOptions<DokuSimulatorOptions> options, TimeProvider clock)
    {
        var bank = channel.EndsWith("-virtual-account", StringComparison.Ordinal) ? channel[..^"-virtual-account".Length] : "";
        var body = await JsonNode.ParseAsync(request.Body);
        var invoice = body?["order"]?["invoice_number"]?.GetValue<string>();
        var amount = body?["order"]?["amount"] is JsonValue a && a.TryGetValue<long>(out var n) ? n : 0;
        if (!Banks.Contains(bank) || invoice is null || invoice.Length > 64 || amount <= 0)
        {
            return Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = "invalid_parameter", ["message"] = "order.invoice_number and order.amount are required" } }, statusCode: 400);
        }

        var minutes = body!["virtual_account_info"]?["expired_time"] is JsonValue m && m.TryGetValue<long>(out var x) ? x : 60;
        var now = clock.GetUtcNow();
        var payment = state.Payments.GetOrAdd(invoice, _ => new DokuPayment
        {
            Invoice = invoice,
            Amount = amount,
            Kind = "va",
            Bank = bank,
            Instrument = "19006" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture) + RandomNumberGenerator.GetInt32(100, 999).ToString(CultureInfo.InvariantCulture),
            OriginalRequestId = request.Headers["Request-Id"].ToString(),
            ExpiresAt = now.AddMinutes(minutes),
            NotifyUrl = NotifyUrl(request, options.Value),
        });
        return Results.Json(new JsonObject
        {
            ["order"] = new JsonObject { ["invoice_number"] = payment.Invoice, ["amount"] = payment.Amount },
            ["virtual_account_info"] = new JsonObject
            {
                ["virtual_account_number"] = payment.Instrument,
                ["how_to_pay_page"] = $"{request.Scheme}://{request.Host}/how-to-pay/{payment.Invoice}",
                ["how_to_pay_api"] = $"{request.Scheme}://{request.Host}/how-to-pay-api/{payment.Invoice}",
                ["created_date"] = now.ToOffset(Wib).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
                ["expired_date"] = payment.ExpiresAt.ToOffset(Wib).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
                ["created_date_utc"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["expired_date_utc"] = payment.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        });
    }

    private static void Lapse(DokuPayment p, TimeProvider clock)
    {
        lock (p.Gate)
        {
            if (p.Status == "PENDING" && p.ExpiresAt <= clock.GetUtcNow())
            {
                p.Status = "EXPIRED";
            }
        }
    }

    private static JsonObject VaStatus(DokuPayment p, TimeProvider clock)
    {
        Lapse(p, clock);
        return new JsonObject
        {
            ["order"] = new JsonObject { ["invoice_number"] = p.Invoice, ["amount"] = p.Amount },
            ["transaction"] = new JsonObject { ["status"] = p.Status, ["date"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), ["original_request_id"] = p.OriginalRequestId },
            ["service"] = new JsonObject { ["id"] = "VIRTUAL_ACCOUNT" },
            ["acquirer"] = new JsonObject { ["id"] = p.Bank.ToUpperInvariant() },
            ["channel"] = new JsonObject { ["id"] = "VIRTUAL_ACCOUNT_" + p.Bank.ToUpperInvariant() },
            ["virtual_account_info"] = new JsonObject { ["virtual_account_number"] = p.Instrument },
        };
    }

    private static async Task<IResult> GenerateQrisAsync(HttpRequest request, DokuSimulatorState state, IOptions<DokuSimulatorOptions> options, TimeProvider clock)
    {
        var body = await JsonNode.ParseAsync(request.Body);
        var reference = body?["partnerReferenceNo"]?.GetValue<string>();
        var value = body?["amount"]?["value"]?.GetValue<string>();
        if (reference is null || value is null || !value.EndsWith(".00", StringComparison.Ordinal) || !long.TryParse(value.AsSpan(0, value.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return Results.Json(Error("4004701", "Invalid Mandatory Field"), statusCode: 400);
        }

        var validity = DateTimeOffset.TryParse(body!["validityPeriod"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var v) ? v : clock.GetUtcNow().AddDays(30);
        var payment = state.Payments.GetOrAdd(reference, _ => new DokuPayment
        {
            Invoice = reference,
            Amount = amount,
            Kind = "qris",
            Bank = "",
            Instrument = Qris.Build("GERBANG DOKU SIM", "JAKARTA", amount, reference),
            OriginalRequestId = request.Headers["X-EXTERNAL-ID"].ToString(),
            ExpiresAt = validity,
            NotifyUrl = NotifyUrl(request, options.Value),
        });
        return Results.Json(new JsonObject
        {
            ["responseCode"] = "2004700",
            ["responseMessage"] = "Successful",
            ["referenceNo"] = payment.ReferenceNo,
            ["partnerReferenceNo"] = payment.Invoice,
            ["qrContent"] = payment.Instrument,
            ["merchantName"] = "GERBANG DOKU SIM",
            ["terminalId"] = body["terminalId"]?.GetValue<string>(),
        });
    }

    private static string SnapCode(string status) => status switch
    {
        "SUCCESS" => "00",
        "REFUNDED" => "04",
        "CANCELLED" => "05",
        "FAILED" or "EXPIRED" => "06",
        _ => "03",
    };

    private static async Task<IResult> QrisCallAsync(HttpRequest request, DokuSimulatorState state, TimeProvider clock, string call)
    {
        var body = await JsonNode.ParseAsync(request.Body);
        var reference = body?["originalPartnerReferenceNo"]?.GetValue<string>();
        if (reference is null || !state.Payments.TryGetValue(reference, out var p) || p.Kind != "qris")
        {
            return Results.Json(Error("4040001", "Transaction Not Found"), statusCode: 404);
        }

        Lapse(p, clock);
        JsonObject? refunded = null;
        lock (p.Gate)
        {
            switch (call)
            {
                case "cancel" when p.Status != "PENDING":
                    return Results.Json(Error("4097700", $"Transaction is {p.Status}"), statusCode: 409);
                case "cancel":
                    p.Status = "CANCELLED";
                    return Results.Json(new JsonObject { ["responseCode"] = "2007700", ["responseMessage"] = "Successful", ["originalPartnerReferenceNo"] = p.Invoice, ["cancelTime"] = Snap(clock.GetUtcNow()) });
                case "refund":
                    var value = body!["refundAmount"]?["value"]?.GetValue<string>() ?? "";
                    var partnerRefundNo = body["partnerRefundNo"]?.GetValue<string>();
                    if (partnerRefundNo is not null && p.Refunds.FirstOrDefault(r => r.PartnerRefundNo == partnerRefundNo) is { RefundNo: not null } replay)
                    {
                        // BI-SNAP's partnerRefundNo makes a refund request idempotent: the first answer again.
                        return Results.Json(RefundAnswer(replay.RefundNo, partnerRefundNo, replay.Amount));
                    }

                    if (p.Status != "SUCCESS" || !value.EndsWith(".00", StringComparison.Ordinal) || !long.TryParse(value.AsSpan(0, value.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var refund) || refund <= 0 || p.Refunded + refund > p.Amount)
                    {
                        return Results.Json(Error("4037814", "Refund Not Allowed"), statusCode: 403);
                    }

                    var refundNo = Refund(state, p, partnerRefundNo, refund, clock);
                    refunded = RefundAnswer(refundNo, partnerRefundNo, refund);
                    break;
                default:
                    return Results.Json(QrisStatus(p, "2005100", request.HttpContext.RequestServices.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value));
            }
        }

        // DOKU answers the refund, then notifies it.
        var notify = RefundNotifier(request.HttpContext, p);
        _ = Task.Run(() => notify(CancellationToken.None));
        return Results.Json(refunded);
    }

    private static JsonObject RefundAnswer(string refundNo, string? partnerRefundNo, long amount) => new()
    {
        ["responseCode"] = "2007800",
        ["responseMessage"] = "Successful",
        ["refundNo"] = refundNo,
        ["partnerRefundNo"] = partnerRefundNo,
        ["refundAmount"] = new JsonObject { ["value"] = amount.ToString(CultureInfo.InvariantCulture) + ".00", ["currency"] = "IDR" },
    };

    /// <summary>Books a refund; the transaction is REFUNDED (04) once the whole amount is back.</summary>
    private static string Refund(DokuSimulatorState state, DokuPayment p, string? partnerRefundNo, long amount, TimeProvider clock)
    {
        var refundNo = "rf" + RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
        p.Refunded += amount;
        p.Refunds.Add((refundNo, partnerRefundNo, amount, clock.GetUtcNow()));
        if (p.Refunded == p.Amount)
        {
            p.Status = "REFUNDED";
        }

        state.Knobs.Books.Refunded(p.Invoice, "IDR", amount);
        return refundNo;
    }

    /// <summary>The refund's notification, when DOKU is set to send one; resolved while the request lasts, usable after it.</summary>
    private static Func<CancellationToken, Task<int?>> RefundNotifier(HttpContext http, DokuPayment p)
    {
        var state = http.RequestServices.GetRequiredService<DokuSimulatorState>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var o = http.RequestServices.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value;
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        return async cancellationToken =>
        {
            if (!o.RefundNotifications)
            {
                return null;
            }

            string body;
            Dictionary<string, string> headers;
            lock (p.Gate)
            {
                (body, headers) = QrisNotification(p, o, state, clock);
            }

            return await NotificationSender.DeliverAsync(state.Knobs, client, p.NotifyUrl, body, headers, cancellationToken);
        };
    }

    /// <summary>
    /// A refund made in DOKU's back office, not through the API: booked and notified as DOKU does. The
    /// whole remainder unless <c>amount</c> is given.
    /// </summary>
    private static async Task<IResult> ProviderRefundAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<DokuSimulatorState>();
        var reference = id.StartsWith("qris:", StringComparison.Ordinal) ? id[5..] : id;
        if (!state.Payments.TryGetValue(reference, out var p) || p.Kind != "qris")
        {
            return Results.Json(Error("4040001", "Transaction Not Found"), statusCode: 404);
        }

        long? asked = null;
        if (http.Request.HasJsonContentType())
        {
            asked = (await JsonNode.ParseAsync(http.Request.Body))?["amount"]?.GetValue<long>();
        }

        string refundNo;
        lock (p.Gate)
        {
            var amount = asked ?? p.Amount - p.Refunded;
            if (p.Status != "SUCCESS" || amount <= 0 || p.Refunded + amount > p.Amount)
            {
                return Results.Json(Error("4037814", "Refund Not Allowed"), statusCode: 403);
            }

            refundNo = Refund(state, p, null, amount, http.RequestServices.GetRequiredService<TimeProvider>());
        }

        var answered = await RefundNotifier(http, p)(http.RequestAborted);
        return Results.Json(new JsonObject { ["refundNo"] = refundNo, ["invoice_number"] = p.Invoice, ["receiver_status"] = answered });
    }

    private static JsonObject QrisStatus(DokuPayment p, string responseCode, DokuSimulatorOptions o)
    {
        var status = QrisStatus(p, responseCode);
        if (o.QueryRefundHistory && p.Refunds.Count > 0)
        {
            status["refundHistory"] = new JsonArray([.. p.Refunds.Select(r => (JsonNode)new JsonObject
            {
                ["refundNo"] = r.RefundNo,
                ["partnerRefundNo"] = r.PartnerRefundNo,
                ["refundAmount"] = new JsonObject { ["value"] = r.Amount.ToString(CultureInfo.InvariantCulture) + ".00", ["currency"] = "IDR" },
                ["refundStatus"] = "00",
                ["refundDate"] = Snap(r.At),
            })]);
        }

        return status;
    }

    private static JsonObject QrisStatus(DokuPayment p, string responseCode) => new()
    {
        ["responseCode"] = responseCode,
        ["responseMessage"] = "Successful",
        ["originalPartnerReferenceNo"] = p.Invoice,
        ["originalReferenceNo"] = p.ReferenceNo,
        ["serviceCode"] = "47",
        ["latestTransactionStatus"] = SnapCode(p.Status),
        ["transactionStatusDesc"] = p.Status,
        ["amount"] = new JsonObject { ["value"] = p.Amount.ToString(CultureInfo.InvariantCulture) + ".00", ["currency"] = "IDR" },
    };

    private static async Task<IResult> SettleAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<DokuSimulatorState>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var o = http.RequestServices.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value;
        var reference = id.StartsWith("qris:", StringComparison.Ordinal) ? id[5..] : id;
        if (!state.Payments.TryGetValue(reference, out var p))
        {
            return Results.Json(Error("4040001", "Transaction Not Found"), statusCode: 404);
        }

        Lapse(p, clock);
        lock (p.Gate)
        {
            if (p.Status != "PENDING" && !(p.Status == "EXPIRED" && status == "SUCCESS" && state.Knobs.PayAfterExpiry))
            {
                return Results.Json(Error("4090000", $"Transaction is {p.Status}"), statusCode: 409);
            }

            if (status == "SUCCESS")
            {
                state.Knobs.Books.Taken(p.Invoice, "IDR", p.Amount);
            }

            p.Status = status;
        }

        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var (body, headers) = p.Kind == "va" ? VaNotification(p, o, clock) : QrisNotification(p, o, state, clock);
        var answered = await NotificationSender.DeliverAsync(state.Knobs, client, p.NotifyUrl, body, headers, http.RequestAborted);
        state.Sent.Enqueue((body, answered));

        return Results.Json(new JsonObject { ["invoice_number"] = p.Invoice, ["receiver_status"] = answered });
    }

    private static (string Body, Dictionary<string, string> Headers) VaNotification(DokuPayment p, DokuSimulatorOptions o, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["service"] = new JsonObject { ["id"] = "VIRTUAL_ACCOUNT" },
            ["acquirer"] = new JsonObject { ["id"] = p.Bank.ToUpperInvariant() },
            ["channel"] = new JsonObject { ["id"] = "VIRTUAL_ACCOUNT_" + p.Bank.ToUpperInvariant() },
            ["transaction"] = new JsonObject { ["status"] = p.Status, ["date"] = now, ["original_request_id"] = p.OriginalRequestId },
            ["order"] = new JsonObject { ["invoice_number"] = p.Invoice, ["amount"] = p.Amount },
            ["virtual_account_info"] = new JsonObject { ["virtual_account_number"] = p.Instrument },
            ["virtual_account_payment"] = new JsonObject { ["identifer"] = new JsonArray(new JsonObject { ["name"] = "REQUEST_ID", ["value"] = Guid.NewGuid().ToString() }) },
        }.ToJsonString();
        var requestId = Guid.NewGuid().ToString();
        var signature = ProviderSigners.DokuNonSnap(o.ClientId, requestId, now, p.NotifyUrl.AbsolutePath, Encoding.UTF8.GetBytes(body), o.SecretKey);
        return (body, new Dictionary<string, string> { ["Client-Id"] = o.ClientId, ["Request-Id"] = requestId, ["Request-Timestamp"] = now, ["Signature"] = signature });
    }

    private static (string Body, Dictionary<string, string> Headers) QrisNotification(DokuPayment p, DokuSimulatorOptions o, DokuSimulatorState state, TimeProvider clock)
    {
        var body = QrisStatus(p, "2005200", o);
        body.Remove("responseCode");
        body.Remove("responseMessage");
        body["paidTime"] = Snap(clock.GetUtcNow());
        var text = body.ToJsonString();
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var timestamp = Snap(clock.GetUtcNow());
        var signature = ProviderSigners.DokuSnap("POST", p.NotifyUrl.AbsolutePath, token, Encoding.UTF8.GetBytes(text), timestamp, o.ClientSecret);
        return (text, new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer " + token,
            ["X-TIMESTAMP"] = timestamp,
            ["X-SIGNATURE"] = signature,
            ["X-PARTNER-ID"] = o.ClientId,
            ["X-EXTERNAL-ID"] = RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture),
            ["CHANNEL-ID"] = "H2H",
        });
    }
}

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

namespace Gerbang.Simulators.Ipaymu;

public sealed class IpaymuSimulatorOptions
{
    public const string Section = "Simulators:Ipaymu";

    public string Va { get; set; } = "";

    public string ApiKey { get; set; } = "";

    /// <summary>Unconfirmed: the field of a QRIS answer that holds the QR string. <c>QrString</c> here.</summary>
    public string QrField { get; set; } = "QrString";

    /// <summary>Callbacks as JSON with string values (the default here) or as a form, as iPaymu's dashboard chooses.</summary>
    public string CallbackFormat { get; set; } = "json";

    /// <summary>QRIS lives five minutes at iPaymu, whatever was asked.</summary>
    public TimeSpan QrisExpiry { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class IpaymuTransaction
{
    public required long Id { get; init; }

    public required string ReferenceId { get; init; }

    public required long Amount { get; init; }

    public required string Method { get; init; }

    public required string Channel { get; init; }

    public required string PaymentNo { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required Uri NotifyUrl { get; init; }

    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>iPaymu's status code: 0 pending, 1 paid, -2 expired, 5 failed.</summary>
    public int Status { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public Lock Gate { get; } = new();
}

public sealed class IpaymuSimulatorState
{
    private long _next = 100_000;

    public ConcurrentDictionary<long, IpaymuTransaction> Transactions { get; } = new();

    public ConcurrentDictionary<string, long> ByReference { get; } = new(StringComparer.Ordinal);

    public SimulatorKnobs Knobs { get; } = new();

    /// <summary>Every callback body sent, in order, with the receiver's answer.</summary>
    public ConcurrentQueue<(string Body, int? Answered)> Sent { get; } = new();

    public long NextId() => Interlocked.Increment(ref _next);

    public IpaymuTransaction? Find(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && Transactions.TryGetValue(n, out var t) ? t
        : ByReference.TryGetValue(id, out var byRef) && Transactions.TryGetValue(byRef, out var r) ? r : null;
}

/// <summary>
/// iPaymu API v2 as iPaymu speaks it: every request carries the merchant's <c>va</c>, a
/// <c>timestamp</c> and a <c>signature</c> (HMAC-SHA256 with the API key over the body's hash), which a
/// wrong key or a changed byte fails; answers in iPaymu's <c>{Status, Success, Message, Data}</c>
/// envelope; callbacks to the request's <c>notifyUrl</c> signed with the VA over the canonical JSON.
/// </summary>
public static class IpaymuSimulator
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);
    private static readonly string[] Banks = ["bag", "bca", "bpd_bali", "bni", "cimb", "mandiri", "bmi", "bri", "bsi", "permata", "danamon", "btn"];

    public static void MapIpaymuSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var api = routes.MapGroup(prefix + "/api/v2").AddEndpointFilter(RequireSignature).AddEndpointFilter(SimulatorKnobs.Filter<IpaymuSimulatorState>(s => s.Knobs, Envelope(503, "Service unavailable"))).ExcludeFromDescription();
        api.MapPost("/payment/direct", CreateAsync);
        api.MapPost("/transaction", StatusAsync);

        // The test control API (not iPaymu's): Basic va:apiKey.
        var control = routes.MapGroup(prefix + "/control").AddEndpointFilter(SimulatorHttp.Basic<IpaymuSimulatorOptions>(o => o.ApiKey.Length > 0 ? (o.Va, o.ApiKey) : null, Envelope(401, "Unauthorized"))).ExcludeFromDescription();
        control.MapPost("/{id}/pay", (string id, HttpContext http) => SettleAsync(id, 1, http));
        control.MapPost("/{id}/fail", (string id, HttpContext http) => SettleAsync(id, 5, http));
        control.MapPost("/{id}/expire", (string id, HttpContext http) => SettleAsync(id, -2, http));
        control.MapPost("/{id}/resend", (string id, HttpContext http) => ResendAsync(id, http));
        control.MapPost("/{id}/refund", (string id, HttpContext http) => RefundAtProviderAsync(id, http));
        SimulatorKnobs.MapControl<IpaymuSimulatorState>(control, s => s.Knobs);
    }

    /// <summary>iPaymu's answer envelope.</summary>
    public static JsonObject Envelope(int status, string message, JsonNode? data = null) =>
        new() { ["Status"] = status, ["Success"] = status == 200, ["Message"] = message, ["Data"] = data };

    private static async ValueTask<object?> RequireSignature(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<IpaymuSimulatorOptions>>().Value;
        var body = await SimulatorHttp.RawBodyAsync(http.Request);
        var va = http.Request.Headers["va"].ToString();
        var signature = http.Request.Headers["signature"].ToString();
        var timestamp = http.Request.Headers["timestamp"].ToString();
        var expected = ProviderSigners.IpaymuRequest(options.Va, body, options.ApiKey);
        if (options.ApiKey.Length == 0 || va != options.Va || timestamp.Length != 14 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(expected)))
        {
            return Results.Json(Envelope(401, "unauthorized signature"), statusCode: 401);
        }

        return await next(context);
    }

    private static string Time(DateTimeOffset t) => t.ToOffset(Wib).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static async Task<IResult> CreateAsync(HttpRequest request, IpaymuSimulatorState state, IOptions<IpaymuSimulatorOptions> options, TimeProvider clock)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        var reference = body?["referenceId"]?.ToString();
        var method = body?["paymentMethod"]?.ToString();
        var channel = body?["paymentChannel"]?.ToString();
        var notify = body?["notifyUrl"]?.ToString();
        var amountOk = long.TryParse(body?["amount"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0;
        foreach (var required in new[] { "name", "phone", "email" })
        {
            if (string.IsNullOrEmpty(body?[required]?.ToString()))
            {
                return Results.Json(Envelope(400, $"{required} is required"), statusCode: 400);
            }
        }

        if (reference is null || !amountOk || !Uri.TryCreate(notify, UriKind.Absolute, out var notifyUrl))
        {
            return Results.Json(Envelope(400, "amount, referenceId and notifyUrl are required"), statusCode: 400);
        }

        var qris = method == "qris" && channel == "mpm";
        if (!qris && !(method == "va" && Banks.Contains(channel)))
        {
            return Results.Json(Envelope(400, $"payment channel {method}/{channel} is not available"), statusCode: 400);
        }

        if (state.ByReference.TryGetValue(reference, out var existingId))
        {
            return Results.Json(Envelope(200, "Success", View(state.Transactions[existingId], options.Value)));
        }

        var now = clock.GetUtcNow();
        var hours = long.TryParse(body!["expired"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h > 0 ? h : 24;
        var id = state.NextId();
        var created = new IpaymuTransaction
        {
            Id = id,
            ReferenceId = reference,
            Amount = amount,
            Method = method!,
            Channel = channel!,
            PaymentNo = qris ? Qris.Build("GERBANG IPAYMU SIM", "JAKARTA", amount, reference) : "8" + RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture) + (id % 10_000).ToString("D4", CultureInfo.InvariantCulture),
            CreatedAt = now,
            ExpiresAt = qris ? now + options.Value.QrisExpiry : now.AddHours(channel == "bca" ? 12 : hours),
            NotifyUrl = notifyUrl,
        };
        if (!state.ByReference.TryAdd(reference, id))
        {
            return Results.Json(Envelope(200, "Success", View(state.Transactions[state.ByReference[reference]], options.Value)));
        }

        state.Transactions[id] = created;
        return Results.Json(Envelope(200, "Success", View(created, options.Value)));
    }

    private static JsonObject View(IpaymuTransaction t, IpaymuSimulatorOptions options)
    {
        var qris = t.Method == "qris";
        var view = new JsonObject
        {
            ["SessionId"] = t.SessionId,
            ["TransactionId"] = t.Id,
            ["ReferenceId"] = t.ReferenceId,
            ["Via"] = t.Method.ToUpperInvariant(),
            ["Channel"] = t.Channel.ToUpperInvariant(),
            ["PaymentNo"] = qris ? "" : t.PaymentNo,
            ["PaymentName"] = "Gerbang iPaymu Sim",
            ["Total"] = t.Amount,
            ["Fee"] = 0,
            ["Expired"] = Time(t.ExpiresAt),
            ["Note"] = null,
            ["Url"] = null,
        };
        if (qris)
        {
            view[options.QrField] = t.PaymentNo;
        }

        return view;
    }

    private static async Task<IResult> StatusAsync(HttpRequest request, IpaymuSimulatorState state, TimeProvider clock)
    {
        var body = await JsonNode.ParseAsync(request.Body);
        if (body?["transactionId"]?.ToString() is not { } id || state.Find(id) is not { } t)
        {
            return Results.Json(Envelope(404, "Transaction not found"), statusCode: 404);
        }

        lock (t.Gate)
        {
            if (t.Status == 0 && t.ExpiresAt <= clock.GetUtcNow())
            {
                t.Status = -2;
            }
        }

        return Results.Json(Envelope(200, "Success", new JsonObject
        {
            ["TransactionId"] = t.Id,
            ["SessionId"] = t.SessionId,
            ["ReferenceId"] = t.ReferenceId,
            ["Status"] = t.Status,
            ["StatusDesc"] = Describe(t.Status),
            ["Amount"] = t.Amount,
            ["Fee"] = 0,
            ["PaidStatus"] = t.Status == 1 ? "paid" : "unpaid",
            ["CreatedDate"] = Time(t.CreatedAt),
            ["ExpiredDate"] = Time(t.ExpiresAt),
            ["SuccessDate"] = t.PaidAt is { } paid ? Time(paid) : null,
        }));
    }

    private static string Describe(int status) => status switch
    {
        1 => "Berhasil",
        3 => "Refund",
        -2 => "Expired",
        5 => "Gagal",
        _ => "Pending",
    };

    private static async Task<IResult> SettleAsync(string id, int status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<IpaymuSimulatorState>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        if (state.Find(id) is not { } t)
        {
            return Results.Json(Envelope(404, "Transaction not found"), statusCode: 404);
        }

        lock (t.Gate)
        {
            if (t.Status != 0 && !(t.Status == -2 && status == 1 && state.Knobs.PayAfterExpiry))
            {
                return Results.Json(Envelope(409, $"Transaction is {Describe(t.Status)}"), statusCode: 409);
            }

            if (status == 1)
            {
                state.Knobs.Books.Taken(t.ReferenceId, "IDR", t.Amount);
            }

            t.Status = status;
            t.PaidAt = status == 1 ? clock.GetUtcNow() : null;
        }

        return await NotifyAsync(t, http);
    }

    private static Task<IResult> ResendAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<IpaymuSimulatorState>();
        return state.Find(id) is { } t ? NotifyAsync(t, http) : Task.FromResult(Results.Json(Envelope(404, "Transaction not found"), statusCode: 404));
    }

    /// <summary>
    /// A refund made from the iPaymu dashboard (iPaymu offers merchants no refund call): the whole paid
    /// transaction goes back, its status becomes 3 and iPaymu calls back.
    /// </summary>
    private static async Task<IResult> RefundAtProviderAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<IpaymuSimulatorState>();
        if (state.Find(id) is not { } t)
        {
            return Results.Json(Envelope(404, "Transaction not found"), statusCode: 404);
        }

        lock (t.Gate)
        {
            if (t.Status != 1)
            {
                return Results.Json(Envelope(409, $"Transaction is {Describe(t.Status)}"), statusCode: 409);
            }

            t.Status = 3;
            state.Knobs.Books.Refunded(t.ReferenceId, "IDR", t.Amount);
        }

        return await NotifyAsync(t, http);
    }

    /// <summary>The callback, in JSON (string values) or form mode, signed as iPaymu signs it; knobs may send it twice.</summary>
    private static async Task<IResult> NotifyAsync(IpaymuTransaction t, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<IpaymuSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<IpaymuSimulatorOptions>>().Value;
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["trx_id"] = t.Id.ToString(CultureInfo.InvariantCulture),
            ["sid"] = t.SessionId,
            ["reference_id"] = t.ReferenceId,
            ["status"] = t.Status switch { 1 => "berhasil", 3 => "refund", -2 => "expired", 5 => "gagal", _ => "pending" },
            ["status_code"] = t.Status.ToString(CultureInfo.InvariantCulture),
            ["transaction_status_code"] = t.Status.ToString(CultureInfo.InvariantCulture),
            ["via"] = t.Method,
            ["channel"] = t.Channel,
            ["payment_no"] = t.Method == "qris" ? "" : t.PaymentNo,
            ["amount"] = t.Amount.ToString(CultureInfo.InvariantCulture),
            ["total"] = t.Amount.ToString(CultureInfo.InvariantCulture),
            ["sub_total"] = t.Amount.ToString(CultureInfo.InvariantCulture),
            ["fee"] = "0",
            ["paid_off"] = t.Status is 1 or 3 ? t.Amount.ToString(CultureInfo.InvariantCulture) : "0",
            ["created_at"] = Time(t.CreatedAt),
            ["expired_at"] = Time(t.ExpiresAt),
            ["paid_at"] = t.PaidAt is { } p ? Time(p) : "",
            ["settlement_status"] = t.Status == 1 ? "settled" : "unsettled",
            ["is_escrow"] = "0",
            ["is_refund"] = t.Status == 3 ? "1" : "0",
            ["is_sandbox"] = "1",
            ["url"] = t.NotifyUrl.ToString(),
        };
        if (t.Method == "va")
        {
            fields["va"] = t.PaymentNo;
        }

        var form = options.CallbackFormat == "form";
        var signed = new SortedDictionary<string, object>(StringComparer.Ordinal) { ["additional_info"] = Array.Empty<object>() };
        foreach (var (key, value) in fields)
        {
            signed[key] = form && key is "trx_id" or "status_code" or "transaction_status_code" or "paid_off" ? long.Parse(value, CultureInfo.InvariantCulture)
                : form && key == "is_escrow" ? value == "1"
                : value;
        }

        var signature = ProviderSigners.IpaymuCallback(signed, options.Va);
        string body;
        string contentType;
        if (form)
        {
            body = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)).Append("additional_info=%5B%5D"));
            contentType = "application/x-www-form-urlencoded";
        }
        else
        {
            var json = new JsonObject();
            foreach (var (key, value) in fields)
            {
                json[key] = value;
            }

            body = json.ToJsonString();
            contentType = "application/json";
        }

        var headers = new Dictionary<string, string>
        {
            ["X-Signature"] = signature,
            ["X-Timestamp"] = clock.GetUtcNow().ToOffset(Wib).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["X-External-ID"] = Guid.NewGuid().ToString("N"),
        };
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var answered = await NotificationSender.DeliverAsync(state.Knobs, client, t.NotifyUrl, body, headers, http.RequestAborted, contentType);
        state.Sent.Enqueue((body, answered));
        if (state.Knobs.DuplicateNotifications)
        {
            state.Sent.Enqueue((body, answered));
        }

        return Results.Json(new JsonObject { ["TransactionId"] = t.Id, ["receiver_status"] = answered });
    }
}

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

namespace Gerbang.Simulators.Midtrans;

public sealed class MidtransSimulatorOptions
{
    public const string Section = "Simulators:Midtrans";

    public string ServerKey { get; set; } = "";

    public string MerchantId { get; set; } = "G000000001";

    public string IrisApiKey { get; set; } = "";

    public string IrisMerchantKey { get; set; } = "";

    /// <summary>The Iris approver key: only it may approve a payout waiting for approval.</summary>
    public string IrisApproverKey { get; set; } = "";

    /// <summary>Where Iris notifications go; by default the gateway's <c>/webhooks/midtrans/payouts</c>.</summary>
    public string IrisNotificationUrl { get; set; } = "";

    /// <summary>Unconfirmed: the status a new Iris payout starts in (<c>queued</c> here).</summary>
    public string IrisInitialStatus { get; set; } = "queued";
}

public sealed class IrisPayout
{
    public required string ReferenceNo { get; init; }

    public required string IdempotencyKey { get; init; }

    public required long Amount { get; init; }

    public required string Bank { get; init; }

    public required string Account { get; init; }

    public required Uri NotifyUrl { get; init; }

    public required string Status { get; set; }
}

/// <summary>What the simulated Midtrans remembers, keyed by order id.</summary>
public sealed class MidtransSimulatorState
{
    public ConcurrentDictionary<string, MidtransTransaction> Transactions { get; } = new(StringComparer.Ordinal);

    /// <summary>Iris payouts by idempotency key.</summary>
    public ConcurrentDictionary<string, IrisPayout> Payouts { get; } = new(StringComparer.Ordinal);

    public SimulatorKnobs Knobs { get; } = new();

    public IrisPayout? FindPayout(string id) =>
        Payouts.TryGetValue(id, out var p) ? p : Payouts.Values.FirstOrDefault(x => x.ReferenceNo == id);

    public MidtransTransaction? Find(string id) =>
        Transactions.TryGetValue(id, out var t) ? t : Transactions.Values.FirstOrDefault(x => x.TransactionId == id);
}

public sealed class MidtransTransaction
{
    public required string OrderId { get; init; }

    public required string TransactionId { get; init; }

    public required long GrossAmount { get; init; }

    public required string PaymentType { get; init; }

    public string? Bank { get; init; }

    public string? VaNumber { get; init; }

    public string? BillerCode { get; init; }

    public string? QrString { get; init; }

    public required DateTimeOffset TransactionTime { get; init; }

    public required DateTimeOffset ExpiryTime { get; init; }

    public Uri? NotifyUrl { get; init; }

    public string Status { get; set; } = "pending";

    public long Refunded { get; set; }

    /// <summary>Refunds by <c>refund_key</c>, in the order made: a replay of a key answers the first refund.</summary>
    public List<(string Key, long Amount, DateTimeOffset At)> Refunds { get; } = [];
}

/// <summary>
/// Midtrans Core API as Midtrans speaks it: Basic auth with the server key, <c>/v2/charge</c> for
/// bank transfer, echannel (Mandiri bill payment) and QRIS, status, cancel, expire and refund by order
/// id, amounts as "x.00" strings, times as "yyyy-MM-dd HH:mm:ss" in GMT+7, and HTTP notifications
/// carrying <c>signature_key</c>, sent to the <c>X-Override-Notification</c> URL.
/// </summary>
public static class MidtransSimulator
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    public static void MapMidtransSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var api = routes.MapGroup(prefix).AddEndpointFilter(SimulatorHttp.Basic<MidtransSimulatorOptions>(o => o.ServerKey.Length > 0 ? (o.ServerKey, "") : null, new JsonObject { ["status_code"] = "401", ["status_message"] = "Access denied due to unauthorized transaction, please check client or server key" })).AddEndpointFilter(SimulatorKnobs.Filter<MidtransSimulatorState>(s => s.Knobs, new JsonObject { ["status_code"] = "500", ["status_message"] = "Internal server error" })).ExcludeFromDescription();

        api.MapPost("/v2/charge", ChargeAsync);
        api.MapPost("/control/payouts/{id}/succeed", (string id, HttpContext http) => SettlePayoutAsync(id, "completed", http));
        api.MapPost("/control/payouts/{id}/fail", (string id, HttpContext http) => SettlePayoutAsync(id, "failed", http));
        SimulatorKnobs.MapControl<MidtransSimulatorState>(api.MapGroup("/control"), s => s.Knobs);

        // Iris: its own key (Basic, empty password).
        var iris = routes.MapGroup(prefix + "/iris/api/v1").AddEndpointFilter(SimulatorHttp.Basic<MidtransSimulatorOptions>(o => o.IrisApiKey.Length > 0 ? (o.IrisApiKey, "") : null, new JsonObject { ["error_message"] = "Unauthorized" })).AddEndpointFilter(SimulatorKnobs.Filter<MidtransSimulatorState>(s => s.Knobs, new JsonObject { ["error_message"] = "Internal server error" })).ExcludeFromDescription();
        iris.MapPost("/payouts", IrisPayoutAsync);

        // Approval is the approver's: its own key, not the creator's.
        var approver = routes.MapGroup(prefix + "/iris/api/v1/payouts/approve").AddEndpointFilter(SimulatorHttp.Basic<MidtransSimulatorOptions>(o => o.IrisApproverKey.Length > 0 ? (o.IrisApproverKey, "") : null, new JsonObject { ["error_message"] = "Unauthorized" })).ExcludeFromDescription();
        approver.MapPost("/", async (HttpRequest request, MidtransSimulatorState state) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            var references = body?["reference_nos"]?.AsArray().Select(r => r?.GetValue<string>()).OfType<string>().ToList() ?? [];
            foreach (var reference in references)
            {
                if (state.FindPayout(reference) is { Status: "queued" } p)
                {
                    p.Status = "approved";
                }
            }

            return references.Count == 0
                ? Results.Json(new JsonObject { ["error_message"] = "reference_nos is required" }, statusCode: 400)
                : Results.Json(new JsonObject { ["status"] = "ok" }, statusCode: 202);
        });
        iris.MapGet("/payouts/{reference}", (string reference, MidtransSimulatorState state) => state.FindPayout(reference) is { } p ? Results.Json(PayoutView(p)) : Results.Json(new JsonObject { ["error_message"] = "Payout not found" }, statusCode: 404));
        api.MapGet("/v2/{id}/status", (string id, MidtransSimulatorState state, IOptions<MidtransSimulatorOptions> o, TimeProvider clock) => state.Find(id) is { } t ? Results.Json(View(t, o.Value, clock)) : NotFound());
        api.MapPost("/v2/{id}/cancel", (string id, HttpContext http) => CloseAsync(id, "cancel", http));
        api.MapPost("/v2/{id}/expire", (string id, HttpContext http) => CloseAsync(id, "expire", http));
        api.MapPost("/v2/{id}/refund", (string id, HttpContext http) => RefundAsync(id, http));
        api.MapPost("/control/{id}/refund", (string id, HttpContext http) => ProviderRefundAsync(id, http));
        api.MapPost("/control/{id}/pay", (string id, HttpContext http) => SettleAsync(id, "settlement", http));
        api.MapPost("/control/{id}/fail", (string id, HttpContext http) => SettleAsync(id, "deny", http));
        api.MapPost("/control/{id}/expire", (string id, HttpContext http) => SettleAsync(id, "expire", http));
    }

    private static JsonObject PayoutView(IrisPayout p) => new()
    {
        ["reference_no"] = p.ReferenceNo,
        ["amount"] = Amount(p.Amount),
        ["beneficiary_bank"] = p.Bank,
        ["beneficiary_account"] = p.Account,
        ["status"] = p.Status,
    };

    private static async Task<IResult> IrisPayoutAsync(HttpRequest request, MidtransSimulatorState state, IOptions<MidtransSimulatorOptions> options)
    {
        var body = await JsonNode.ParseAsync(request.Body);
        var item = body?["payouts"]?[0];
        var amountText = item?["amount"]?.GetValue<string>();
        var bank = item?["beneficiary_bank"]?.GetValue<string>();
        var account = item?["beneficiary_account"]?.GetValue<string>();
        if (item is null || bank is null || account is null || !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || body!["payouts"]!.AsArray().Count != 1)
        {
            return Results.Json(new JsonObject { ["error_message"] = "An error occurred when creating payouts", ["errors"] = new JsonArray("one payout with beneficiary_bank, beneficiary_account and a whole amount is required") }, statusCode: 400);
        }

        var key = request.Headers["X-Idempotency-Key"].ToString();
        key = key.Length > 0 ? key : Guid.NewGuid().ToString("N");
        var payout = state.Payouts.GetOrAdd(key, _ => new IrisPayout
        {
            ReferenceNo = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            IdempotencyKey = key,
            Amount = amount,
            Bank = bank,
            Account = account,
            NotifyUrl = SimulatorHttp.NotificationUrl(request, options.Value.IrisNotificationUrl, "/webhooks/midtrans/payouts"),
            Status = options.Value.IrisInitialStatus,
        });
        return Results.Json(new JsonObject { ["payouts"] = new JsonArray(new JsonObject { ["status"] = payout.Status, ["reference_no"] = payout.ReferenceNo }) }, statusCode: 201);
    }

    /// <summary>The bank finishes an Iris payout; Iris notifies with <c>Iris-Signature</c> over the raw body and its merchant key.</summary>
    private static async Task<IResult> SettlePayoutAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<MidtransSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value;
        if (state.FindPayout(id) is not { } p)
        {
            return Results.Json(new JsonObject { ["error_message"] = "Payout not found" }, statusCode: 404);
        }

        if (state.Knobs.StuckPayouts)
        {
            return Results.Json(new JsonObject { ["error_message"] = "The bank has not answered" }, statusCode: 409);
        }

        if (p.Status == "queued" && options.IrisApproverKey.Length > 0)
        {
            return Results.Json(new JsonObject { ["error_message"] = "The payout is waiting for approval" }, statusCode: 409);
        }

        if (p.Status is "completed" or "failed" or "rejected" && !(p.Status == "completed" && status == "failed"))
        {
            return Results.Json(new JsonObject { ["error_message"] = $"The payout is {p.Status}" }, statusCode: 409);
        }

        if (status == "completed")
        {
            state.Knobs.Books.PaidOut(p.ReferenceNo, "IDR", p.Amount);
        }
        else if (p.Status == "completed")
        {
            state.Knobs.Books.PaidOut(p.ReferenceNo, "IDR", -p.Amount); // the bank gave it back
        }

        p.Status = status;
        var body = new JsonObject
        {
            ["reference_no"] = p.ReferenceNo,
            ["amount"] = Amount(p.Amount),
            ["status"] = status,
            ["updated_at"] = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }.ToJsonString();
        var signature = ProviderSigners.MidtransIris(Encoding.UTF8.GetBytes(body), options.IrisMerchantKey);
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var answered = await NotificationSender.DeliverAsync(state.Knobs, client, p.NotifyUrl, body, new Dictionary<string, string> { ["Iris-Signature"] = signature }, http.RequestAborted);
        return Results.Json(new JsonObject { ["reference_no"] = p.ReferenceNo, ["receiver_status"] = answered });
    }

    private static IResult NotFound() => Results.Json(new JsonObject { ["status_code"] = "404", ["status_message"] = "Transaction doesn't exist." }, statusCode: 404);

    private static string Time(DateTimeOffset t) => t.ToOffset(Wib).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Amount(long amount) => amount.ToString(CultureInfo.InvariantCulture) + ".00";

    private static (string Code, string Message) StatusCode(string status) => status switch
    {
        "settlement" or "capture" or "refund" or "partial_refund" or "cancel" => ("200", "Success, transaction is found"),
        "pending" => ("201", "Success, transaction is created"),
        "expire" => ("407", "Success, transaction is expired"),
        _ => ("202", "Transaction is denied"),
    };

    private static JsonObject View(MidtransTransaction t, MidtransSimulatorOptions options, TimeProvider clock)
    {
        if (t.Status == "pending" && t.ExpiryTime <= clock.GetUtcNow())
        {
            t.Status = "expire";
        }

        var (code, message) = StatusCode(t.Status);
        var view = new JsonObject
        {
            ["status_code"] = code,
            ["status_message"] = message,
            ["transaction_id"] = t.TransactionId,
            ["order_id"] = t.OrderId,
            ["merchant_id"] = options.MerchantId,
            ["gross_amount"] = Amount(t.GrossAmount),
            ["currency"] = "IDR",
            ["payment_type"] = t.PaymentType,
            ["transaction_time"] = Time(t.TransactionTime),
            ["transaction_status"] = t.Status,
            ["fraud_status"] = "accept",
            ["expiry_time"] = Time(t.ExpiryTime),
        };
        if (t.Refunded > 0)
        {
            // Midtrans's running total of refunds on the transaction, and each refund by its key.
            view["refund_amount"] = Amount(t.Refunded);
            view["refunds"] = new JsonArray([.. t.Refunds.Select(r => (JsonNode)new JsonObject { ["refund_key"] = r.Key, ["refund_amount"] = Amount(r.Amount), ["created_at"] = Time(r.At) })]);
        }

        if (t.PaymentType == "bank_transfer" && t.Bank == "permata")
        {
            view["permata_va_number"] = t.VaNumber;
        }
        else if (t.PaymentType == "bank_transfer")
        {
            view["va_numbers"] = new JsonArray(new JsonObject { ["bank"] = t.Bank, ["va_number"] = t.VaNumber });
        }
        else if (t.PaymentType == "echannel")
        {
            view["bill_key"] = t.VaNumber;
            view["biller_code"] = t.BillerCode;
        }
        else
        {
            view["qr_string"] = t.QrString;
            view["acquirer"] = "gopay";
        }

        return view;
    }

    private static async Task<IResult> ChargeAsync(HttpRequest request, MidtransSimulatorState state, IOptions<MidtransSimulatorOptions> options, TimeProvider clock)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body);
        }
        catch (JsonException)
        {
            return Results.Json(new JsonObject { ["status_code"] = "400", ["status_message"] = "Invalid JSON" }, statusCode: 400);
        }

        var details = body?["transaction_details"];
        var orderId = details?["order_id"]?.GetValue<string>();
        var grossNode = details?["gross_amount"];
        if (orderId is null || grossNode is null || grossNode.GetValueKind() != JsonValueKind.Number || grossNode.ToJsonString().Contains('.', StringComparison.Ordinal))
        {
            return Results.Json(new JsonObject { ["status_code"] = "400", ["status_message"] = "transaction_details.gross_amount must be an integer" });
        }

        if (state.Transactions.ContainsKey(orderId))
        {
            return Results.Json(new JsonObject { ["status_code"] = "406", ["status_message"] = "The request could not be completed due to a conflict with the current state of the target resource, please try again" });
        }

        var paymentType = body!["payment_type"]?.GetValue<string>() ?? "";
        var now = clock.GetUtcNow();
        var expiry = body["custom_expiry"]?["expiry_duration"]?.GetValue<int>() is { } minutes ? now.AddMinutes(minutes) : now.AddHours(24);
        var gross = grossNode.GetValue<long>();
        string? bank = null, va = null, biller = null, qr = null;
        switch (paymentType)
        {
            case "bank_transfer":
                bank = body["bank_transfer"]?["bank"]?.GetValue<string>();
                if (bank is not ("bca" or "bni" or "bri" or "cimb" or "permata"))
                {
                    return Results.Json(new JsonObject { ["status_code"] = "400", ["status_message"] = "bank_transfer.bank is not supported" });
                }

                va = RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture) + RandomNumberGenerator.GetInt32(1000, 9999).ToString(CultureInfo.InvariantCulture);
                break;
            case "echannel":
                biller = "70012";
                va = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture) + "123";
                break;
            case "qris":
                qr = Qris.Build("GERBANG MIDTRANS SIM", "JAKARTA", gross, orderId);
                break;
            default:
                return Results.Json(new JsonObject { ["status_code"] = "400", ["status_message"] = "payment_type is not supported" });
        }

        var notify = request.Headers["X-Override-Notification"].ToString();
        var transaction = new MidtransTransaction
        {
            OrderId = orderId,
            TransactionId = Guid.NewGuid().ToString(),
            GrossAmount = gross,
            PaymentType = paymentType,
            Bank = bank,
            VaNumber = va,
            BillerCode = biller,
            QrString = qr,
            TransactionTime = now,
            ExpiryTime = expiry,
            NotifyUrl = Uri.TryCreate(notify, UriKind.Absolute, out var url) ? url : null,
        };
        state.Transactions[orderId] = transaction;

        // Midtrans notifies every status change, the first (pending) included, on its own schedule.
        var notifyPending = Notifier(request.HttpContext);
        _ = Task.Run(() => notifyPending(transaction, CancellationToken.None));
        return Results.Json(View(transaction, options.Value, clock));
    }

    /// <summary>The merchant cancels or expires a pending transaction; Midtrans notifies the new status.</summary>
    private static async Task<IResult> CloseAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<MidtransSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value;
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        if (state.Find(id) is not { } t)
        {
            return NotFound();
        }

        lock (t)
        {
            if (t.Status != "pending")
            {
                return Results.Json(new JsonObject { ["status_code"] = "412", ["status_message"] = "Merchant cannot modify status of the transaction" });
            }

            t.Status = status;
        }

        var view = View(t, options, clock);
        var notify = Notifier(http);
        _ = Task.Run(() => notify(t, CancellationToken.None));
        return Results.Json(view);
    }

    /// <summary>
    /// Refunds a settled QRIS transaction by <c>refund_key</c>: a replay of the key answers the first
    /// refund and refunds nothing more. Midtrans then notifies <c>partial_refund</c> or <c>refund</c>.
    /// </summary>
    private static async Task<IResult> RefundAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<MidtransSimulatorState>();
        if (state.Find(id) is not { } t)
        {
            return NotFound();
        }

        var options = http.RequestServices.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value;
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body);
        }
        catch (JsonException)
        {
            return Results.Json(new JsonObject { ["status_code"] = "400", ["status_message"] = "Invalid JSON" }, statusCode: 400);
        }

        var key = body?["refund_key"]?.GetValue<string>() ?? Guid.NewGuid().ToString("N");
        long amount;
        lock (t)
        {
            var replay = t.Refunds.FindIndex(r => r.Key == key);
            if (replay >= 0)
            {
                var first = View(t, options, clock);
                first["refund_key"] = key;
                first["refund_amount"] = Amount(t.Refunds[replay].Amount);
                return Results.Json(first);
            }

            amount = body?["amount"]?.GetValue<long>() ?? t.GrossAmount - t.Refunded;
            if (t.PaymentType != "qris" || t.Status is not ("settlement" or "partial_refund") || amount <= 0 || t.Refunded + amount > t.GrossAmount)
            {
                return Results.Json(new JsonObject { ["status_code"] = "412", ["status_message"] = "Transaction cannot be refunded" });
            }

            Refund(state, t, key, amount, clock);
        }

        var view = View(t, options, clock);
        view["refund_key"] = key;
        view["refund_amount"] = Amount(amount);
        await NotifyAsync(t, http);
        return Results.Json(view);
    }

    private static void Refund(MidtransSimulatorState state, MidtransTransaction t, string key, long amount, TimeProvider clock)
    {
        t.Refunded += amount;
        t.Refunds.Add((key, amount, clock.GetUtcNow()));
        t.Status = t.Refunded == t.GrossAmount ? "refund" : "partial_refund";
        state.Knobs.Books.Refunded(t.OrderId, "IDR", amount);
    }

    /// <summary>A refund made from the Midtrans dashboard, which the merchant system did not ask for; Midtrans notifies it.</summary>
    private static async Task<IResult> ProviderRefundAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<MidtransSimulatorState>();
        if (state.Find(id) is not { } t)
        {
            return NotFound();
        }

        long? asked = null;
        if (http.Request.HasJsonContentType())
        {
            asked = (await JsonNode.ParseAsync(http.Request.Body))?["amount"]?.GetValue<long>();
        }

        lock (t)
        {
            var amount = asked ?? t.GrossAmount - t.Refunded;
            if (t.Status is not ("settlement" or "partial_refund") || amount <= 0 || t.Refunded + amount > t.GrossAmount)
            {
                return Results.Json(new JsonObject { ["status_code"] = "412", ["status_message"] = "Transaction cannot be refunded" }, statusCode: 409);
            }

            Refund(state, t, "dashboard-" + Guid.NewGuid().ToString("N")[..12], amount, http.RequestServices.GetRequiredService<TimeProvider>());
        }

        var answered = await NotifyAsync(t, http);
        return Results.Json(new JsonObject { ["order_id"] = t.OrderId, ["transaction_status"] = t.Status, ["receiver_status"] = answered });
    }

    /// <summary>The customer pays (or the bank refuses, or time runs out): Midtrans notifies in its own format.</summary>
    private static async Task<IResult> SettleAsync(string id, string status, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<MidtransSimulatorState>();
        if (state.Find(id) is not { } t)
        {
            return NotFound();
        }

        lock (t)
        {
            // A paid transaction stays paid (it can only be refunded); a closed one can be paid only when
            // the run lets payments arrive after expiry, as a bank's late transfer does.
            var paid = t.Status is "settlement" or "capture" or "refund" or "partial_refund";
            var closed = t.Status is "expire" or "cancel" or "deny" or "failure";
            if (paid || (closed && !(status == "settlement" && state.Knobs.PayAfterExpiry)))
            {
                return Results.Json(new JsonObject { ["status_code"] = "412", ["status_message"] = $"Transaction is {t.Status}" }, statusCode: 409);
            }

            if (status == "settlement")
            {
                state.Knobs.Books.Taken(t.OrderId, "IDR", t.GrossAmount);
            }

            t.Status = status;
        }

        var answered = await NotifyAsync(t, http);
        if (t.NotifyUrl is not null && state.Knobs.OutOfOrderNotifications && status != "pending")
        {
            // The "pending" notification Midtrans sent at creation arrives only now, after the final one.
            var options = http.RequestServices.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value;
            var clock = http.RequestServices.GetRequiredService<TimeProvider>();
            var stale = View(t, options, clock);
            stale["transaction_status"] = "pending";
            stale["status_code"] = "201";
            stale["status_message"] = "Success, transaction is created";
            stale.Remove("refund_amount");
            stale.Remove("refunds");
            stale["signature_key"] = ProviderSigners.MidtransSignatureKey(t.OrderId, "201", Amount(t.GrossAmount), options.ServerKey);
            var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
            await NotificationSender.PostAsync(client, t.NotifyUrl, stale.ToJsonString(), null, http.RequestAborted);
        }

        return Results.Json(new JsonObject { ["order_id"] = t.OrderId, ["receiver_status"] = answered });
    }

    /// <summary>Midtrans's HTTP notification of the transaction as it now is, signed with <c>signature_key</c>.</summary>
    private static Task<int?> NotifyAsync(MidtransTransaction t, HttpContext http) => Notifier(http)(t, http.RequestAborted);

    /// <summary>Sends a transaction's notification; resolved while the request lasts, usable after it.</summary>
    private static Func<MidtransTransaction, CancellationToken, Task<int?>> Notifier(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value;
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
        var knobs = http.RequestServices.GetRequiredService<MidtransSimulatorState>().Knobs;
        return (t, cancellationToken) => NotifyAsync(t, options, clock, client, knobs, cancellationToken);
    }

    private static async Task<int?> NotifyAsync(MidtransTransaction t, MidtransSimulatorOptions options, TimeProvider clock, HttpClient client, SimulatorKnobs knobs, CancellationToken cancellationToken)
    {
        if (t.NotifyUrl is null)
        {
            return null;
        }

        var notification = View(t, options, clock);
        var (code, _) = StatusCode(t.Status);
        notification["signature_key"] = ProviderSigners.MidtransSignatureKey(t.OrderId, code, Amount(t.GrossAmount), options.ServerKey);
        if (t.Status == "settlement")
        {
            notification["settlement_time"] = Time(clock.GetUtcNow());
        }

        return await NotificationSender.DeliverAsync(knobs, client, t.NotifyUrl, notification.ToJsonString(), null, cancellationToken);
    }
}

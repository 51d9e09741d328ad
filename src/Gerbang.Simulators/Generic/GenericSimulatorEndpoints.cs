using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Simulators.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Gerbang.Simulators.Generic;

/// <summary>
/// The generic <c>simulator</c> provider's HTTP API: payments for every method, refunds and payouts,
/// and a control API that makes the provider act (the customer pays, the bank fails a payout).
/// </summary>
public static class GenericSimulatorEndpoints
{
    public static RouteGroupBuilder MapGenericSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var group = routes.MapGroup(prefix).AddEndpointFilter(RequireApiKey)
            .AddEndpointFilter(SimulatorKnobs.Filter<GenericSimulatorState>(s => s.Knobs, status => TypedResults.Json(
                status == 503 ? new SimError("unavailable", "simulated outage") : new SimError("rate_limited", "too many requests"), SimulatorJson.Options, statusCode: status)))
            .ExcludeFromDescription();

        group.MapPost("/v1/payments", CreatePayment);
        group.MapGet("/v1/payments/{id}", GetPayment);
        group.MapPost("/v1/payments/{id}/cancel", CancelPayment);
        group.MapPost("/v1/payments/{id}/capture", CapturePayment);
        group.MapPost("/v1/refunds", CreateRefund);
        group.MapPost("/v1/payouts", CreatePayout);
        group.MapGet("/v1/payouts/{id}", GetPayout);

        group.MapPost("/control/payments/{id}/pay", ControlPay);
        group.MapPost("/control/payments/{id}/refund", ControlRefund);
        group.MapPost("/control/payments/{id}/fail", (string id, GenericSimulatorState s, GenericNotifier n, CancellationToken ct) => ControlClose(id, "failed", s, n, ct));
        group.MapPost("/control/payments/{id}/expire", (string id, GenericSimulatorState s, GenericNotifier n, CancellationToken ct) => ControlClose(id, "expired", s, n, ct));
        group.MapPost("/control/payouts/{id}/succeed", (string id, GenericSimulatorState s, GenericNotifier n, CancellationToken ct) => ControlPayout(id, "succeeded", s, n, ct));
        group.MapPost("/control/payouts/{id}/fail", (string id, GenericSimulatorState s, GenericNotifier n, CancellationToken ct) => ControlPayout(id, "failed", s, n, ct));
        SimulatorKnobs.MapControl<GenericSimulatorState>(group.MapGroup("/control"), s => s.Knobs);
        group.MapGet("/control/stats", (GenericSimulatorState s) => TypedResults.Json(new { create_calls = s.CreateCalls, payments = s.Payments.Count }, SimulatorJson.Options));

        // The card page is the customer's, opened in a browser: no API key.
        var page = routes.MapGroup(prefix).ExcludeFromDescription();
        page.MapGet("/pay/{id}", ShowCardPage);
        page.MapPost("/pay/{id}", SubmitCard).DisableAntiforgery();
        return group;
    }

    private static async ValueTask<object?> RequireApiKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<GenericSimulatorOptions>>().Value;
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : "";
        if (options.ApiKey.Length == 0
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.ApiKey)))
        {
            return TypedResults.Json(new SimError("unauthorized", "bad API key"), SimulatorJson.Options, statusCode: 401);
        }

        return await next(context);
    }

    private static async Task<IResult> CreatePayment(HttpRequest request, GenericSimulatorState state, IOptions<GenericSimulatorOptions> options, GenericNotifier notifier)
    {
        var body = await Read<SimCreatePayment>(request);
        if (body is null)
        {
            return BadBody();
        }

        if (body.Amount <= 0 || string.IsNullOrEmpty(body.Reference))
        {
            return TypedResults.Json(new SimError("invalid_request", "amount and reference are required"), SimulatorJson.Options, statusCode: 400);
        }

        if (body.Method == "card" && body.CaptureMethod is not (null or "automatic" or "manual"))
        {
            return TypedResults.Json(new SimError("invalid_request", "capture_method must be automatic or manual"), SimulatorJson.Options, statusCode: 400);
        }

        if (body.Method == "upi" && (body.Currency != "INR" || !PaymentMethods.IsVpa(body.Vpa)))
        {
            return TypedResults.Json(new SimError("invalid_request", "a upi collect request needs a vpa (name@bank) and INR"), SimulatorJson.Options, statusCode: 400);
        }

        state.CountCreate();
        var id = state.ByReference.GetOrAdd(body.Reference, _ => Ids.New("simpay"));
        var apiBase = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path.Value![..^"/v1/payments".Length]}";
        var payment = state.Payments.GetOrAdd(id, _ => new SimulatedPayment
        {
            Id = id,
            Reference = body.Reference,
            Amount = body.Amount,
            Currency = body.Currency,
            Method = body.Method,
            Bank = body.Bank,
            VaNumber = body.Method == "va" ? VaNumber(body.Bank) : null,
            QrString = body.Method == "qris" ? Qris.Build(options.Value.MerchantName, "JAKARTA", body.Amount, body.Reference) : null,
            RedirectUrl = body.Method == "card" ? $"{apiBase}/pay/{id}" : null,
            ReturnUrl = body.Method == "card" ? body.ReturnUrl : null,
            CaptureMethod = body.Method == "card" ? body.CaptureMethod ?? "automatic" : null,
            Vpa = body.Method == "upi" ? body.Vpa : null,
            ExpiresAt = body.ExpiresAt,
            NotifyUrl = body.NotifyUrl,
        });
        if (state.Knobs.NotifyBeforeResponse && payment.Method != "card" && PayAsync(payment, payment.Amount, notifier, state.Knobs.Books, request.HttpContext.RequestAborted) is { } early)
        {
            await early; // the customer paid at once, and the notification left before this answer
        }

        return TypedResults.Json(SimPaymentView.Of(payment), SimulatorJson.Options, statusCode: 201);
    }

    private static IResult GetPayment(string id, GenericSimulatorState state, TimeProvider clock)
    {
        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        // Like real providers, an instrument past its expiry stops taking money and says so.
        lock (p.Gate)
        {
            if (p.Status == "pending" && p.ExpiresAt <= clock.GetUtcNow())
            {
                p.Status = "expired";
            }
        }

        return TypedResults.Json(SimPaymentView.Of(p), SimulatorJson.Options);
    }

    private static IResult CancelPayment(string id, GenericSimulatorState state)
    {
        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        lock (p.Gate)
        {
            if (p.Status is "pending" or "requires_capture")
            {
                p.Status = "cancelled"; // for a card authorisation: voided, the hold released
            }
            else if (p.Status is not "cancelled")
            {
                return TypedResults.Json(new SimError("not_cancellable", $"payment is {p.Status}"), SimulatorJson.Options, statusCode: 409);
            }
        }

        return TypedResults.Json(SimPaymentView.Of(p), SimulatorJson.Options);
    }

    private static async Task<IResult> CapturePayment(string id, HttpRequest request, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        var body = await Read<SimCapture>(request);
        if (body is null)
        {
            return BadBody();
        }

        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        lock (p.Gate)
        {
            if (p.Status == "paid" && p.PaidAmount == body.Amount)
            {
                return TypedResults.Json(SimPaymentView.Of(p), SimulatorJson.Options); // the same capture again
            }

            if (p.Status != "requires_capture")
            {
                return TypedResults.Json(new SimError("not_capturable", $"payment is {p.Status}"), SimulatorJson.Options, statusCode: 409);
            }

            if (body.Amount <= 0 || body.Amount > p.Amount)
            {
                return TypedResults.Json(new SimError("invalid_amount", "capture must be between 1 and the authorised amount"), SimulatorJson.Options, statusCode: 400);
            }

            p.Status = "paid";
            p.PaidAmount = body.Amount;
            state.Knobs.Books.Taken(p.Reference, p.Currency, body.Amount);
        }

        // Like card providers, the capture is also announced; the receiver must not count it twice.
        _ = notifier.SendAsync(p.NotifyUrl, "payment.paid", Data(p, body.Amount), CancellationToken.None);
        return TypedResults.Json(SimPaymentView.Of(p), SimulatorJson.Options);
    }

    /// <summary>
    /// Refunds part or all of a paid payment. The reference is the idempotency key: a replay answers the
    /// first refund and refunds nothing more. The provider announces each refund with <c>refund.succeeded</c>.
    /// </summary>
    private static async Task<IResult> CreateRefund(HttpRequest request, GenericSimulatorState state, GenericNotifier notifier)
    {
        var body = await Read<SimCreateRefund>(request);
        if (body is null)
        {
            return BadBody();
        }

        if (state.Refunds.TryGetValue(body.Reference, out var replay))
        {
            return TypedResults.Json(new SimOperationView(replay.Id, replay.Reference, replay.Status, replay.Amount), SimulatorJson.Options);
        }

        if (!state.Payments.TryGetValue(body.PaymentId, out var p))
        {
            return TypedResults.Json(new SimError("refund_refused", "payment is not refundable for that amount"), SimulatorJson.Options, statusCode: 422);
        }

        SimulatedRefund refund;
        lock (p.Gate)
        {
            if (state.Refunds.TryGetValue(body.Reference, out replay))
            {
                return TypedResults.Json(new SimOperationView(replay.Id, replay.Reference, replay.Status, replay.Amount), SimulatorJson.Options);
            }

            if (p.Status != "paid" || body.Amount <= 0 || body.Amount > p.PaidAmount - p.RefundedAmount)
            {
                return TypedResults.Json(new SimError("refund_refused", "payment is not refundable for that amount"), SimulatorJson.Options, statusCode: 422);
            }

            refund = new SimulatedRefund { Id = Ids.New("simre"), Reference = body.Reference, PaymentId = p.Id, Amount = body.Amount };
            state.Refunds[body.Reference] = refund;
            p.RefundedAmount += body.Amount;
            state.Knobs.Books.Refunded(p.Reference, p.Currency, body.Amount);
        }

        await notifier.SendAsync(p.NotifyUrl, "refund.succeeded", Data(p, p.PaidAmount), request.HttpContext.RequestAborted);
        return TypedResults.Json(new SimOperationView(refund.Id, refund.Reference, refund.Status, refund.Amount), SimulatorJson.Options);
    }

    /// <summary>A refund made from the provider's own dashboard, which the merchant system did not ask for.</summary>
    private static async Task<IResult> ControlRefund(string id, HttpRequest request, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        var asked = request.HasJsonContentType() ? (await Read<SimRefundRequest>(request))?.Amount : null;
        long amount;
        lock (p.Gate)
        {
            amount = asked ?? p.PaidAmount - p.RefundedAmount;
            if (p.Status != "paid" || amount <= 0 || amount > p.PaidAmount - p.RefundedAmount)
            {
                return TypedResults.Json(new SimError("refund_refused", "payment is not refundable for that amount"), SimulatorJson.Options, statusCode: 409);
            }

            p.RefundedAmount += amount;
            state.Knobs.Books.Refunded(p.Reference, p.Currency, amount);
        }

        return TypedResults.Json(await notifier.SendAsync(p.NotifyUrl, "refund.succeeded", Data(p, p.PaidAmount), ct), SimulatorJson.Options);
    }

    private static async Task<IResult> CreatePayout(HttpRequest request, GenericSimulatorState state)
    {
        var body = await Read<SimCreatePayout>(request);
        if (body is null)
        {
            return BadBody();
        }

        if (body.Amount <= 0)
        {
            return TypedResults.Json(new SimError("invalid_request", "amount must be positive"), SimulatorJson.Options, statusCode: 400);
        }

        if (state.Knobs.RefuseRepeatedPayouts && state.Payouts.ContainsKey(body.Reference))
        {
            return TypedResults.Json(new SimError("payout_in_progress", "a payout with this reference is being processed"), SimulatorJson.Options, statusCode: 409);
        }

        var payout = state.Payouts.GetOrAdd(body.Reference, r => new SimulatedPayout { Id = Ids.New("simpo"), Reference = r, Amount = body.Amount, Currency = body.Currency, NotifyUrl = body.NotifyUrl });
        return TypedResults.Json(new SimOperationView(payout.Id, payout.Reference, payout.Status, payout.Amount), SimulatorJson.Options);
    }

    private static IResult GetPayout(string id, GenericSimulatorState state)
    {
        var payout = state.Payouts.Values.FirstOrDefault(p => p.Id == id);
        return payout is null ? NotFound() : TypedResults.Json(new SimOperationView(payout.Id, payout.Reference, payout.Status, payout.Amount), SimulatorJson.Options);
    }

    private static async Task<IResult> ControlPay(string id, HttpRequest request, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        long amount = p.Amount;
        if (request.HasJsonContentType())
        {
            var pay = await Read<SimPayRequest>(request);
            amount = pay?.Amount ?? p.Amount;
        }

        return PayAsync(p, amount, notifier, state.Knobs.Books, ct) is { } sending
            ? TypedResults.Json(await sending, SimulatorJson.Options)
            : TypedResults.Json(new SimError("not_payable", $"payment is {p.Status}"), SimulatorJson.Options, statusCode: 409);
    }

    /// <summary>
    /// The customer pays. Money may arrive on a transfer after the provider expired or cancelled the
    /// instrument: the real rails do that, and the receiving side must not lose it. A card is authorised
    /// once, and with manual capture waits for the merchant.
    /// </summary>
    private static Task<SimSentNotification>? PayAsync(SimulatedPayment p, long amount, GenericNotifier notifier, SimulatorBooks books, CancellationToken ct)
    {
        string type;
        lock (p.Gate)
        {
            if (p.Method == "card")
            {
                if (p.Status != "pending")
                {
                    return null;
                }

                p.Status = p.CaptureMethod == "manual" ? "requires_capture" : "paid";
                p.PaidAmount = p.Status == "paid" ? p.Amount : 0;
            }
            else
            {
                p.Status = "paid";
                p.PaidAmount += amount;
            }

            if (p.Status == "paid")
            {
                books.Taken(p.Reference, p.Currency, p.Method == "card" ? p.PaidAmount : amount);
            }

            type = "payment." + p.Status;
        }

        return notifier.SendAsync(p.NotifyUrl, type, Data(p, p.Status == "paid" ? (p.Method == "card" ? p.Amount : amount) : 0), ct);
    }

    private static ContentHttpResult ShowCardPage(string id, GenericSimulatorState state) =>
        state.Payments.TryGetValue(id, out var p) && p.Method == "card"
            ? CardPage.Form(id, "Card payment (simulator)", $"{p.Currency} {p.Amount.ToString("N0", CultureInfo.InvariantCulture).Replace(',', '.')}", p.Status)
            : CardPage.Message("Not found", "No such payment.", 404);

    private static async Task<IResult> SubmitCard(string id, HttpRequest request, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        if (!state.Payments.TryGetValue(id, out var p) || p.Method != "card" || await CardPage.ReadNumberAsync(request, ct) is not { } number)
        {
            return CardPage.Message("Not found", "No such payment.", 404);
        }

        if (number == CardPage.DeclinedCard)
        {
            lock (p.Gate)
            {
                if (p.Status == "pending")
                {
                    p.Status = "failed";
                }
            }

            await notifier.SendAsync(p.NotifyUrl, "payment.failed", Data(p, 0), ct);
        }
        else if (number != CardPage.ApprovedCard || PayAsync(p, p.Amount, notifier, state.Knobs.Books, ct) is not { } sent)
        {
            return CardPage.Message("Declined", "The card was not accepted.", 402);
        }
        else
        {
            await sent;
        }

        return p.ReturnUrl is { } back ? TypedResults.Redirect(back.ToString()) : CardPage.Message("Done", p.Status);
    }

    private static async Task<IResult> ControlClose(string id, string status, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        if (!state.Payments.TryGetValue(id, out var p))
        {
            return NotFound();
        }

        lock (p.Gate)
        {
            if (p.Status != "pending")
            {
                return TypedResults.Json(new SimError("not_pending", $"payment is {p.Status}"), SimulatorJson.Options, statusCode: 409);
            }

            p.Status = status;
        }

        var sent = await notifier.SendAsync(p.NotifyUrl, "payment." + status, Data(p, 0), ct);
        return TypedResults.Json(sent, SimulatorJson.Options);
    }

    private static async Task<IResult> ControlPayout(string id, string status, GenericSimulatorState state, GenericNotifier notifier, CancellationToken ct)
    {
        var payout = state.Payouts.Values.FirstOrDefault(p => p.Id == id || p.Reference == id);
        if (payout is null)
        {
            return NotFound();
        }

        if (state.Knobs.StuckPayouts)
        {
            return TypedResults.Json(new SimError("payout_stuck", "the bank has not answered"), SimulatorJson.Options, statusCode: 409);
        }

        lock (payout)
        {
            // The bank's answer is final: a payout paid or refused does not change its mind here.
            if (payout.Status != "pending")
            {
                return TypedResults.Json(new SimError("payout_final", $"payout is {payout.Status}"), SimulatorJson.Options, statusCode: 409);
            }

            if (status == "succeeded")
            {
                state.Knobs.Books.PaidOut(payout.Reference, payout.Currency, payout.Amount);
            }

            payout.Status = status;
        }

        var sent = await notifier.SendAsync(payout.NotifyUrl, "payout." + status, new SimNotificationData("payout", payout.Id, payout.Reference, status, payout.Amount, 0, payout.Currency), ct);
        return TypedResults.Json(sent, SimulatorJson.Options);
    }

    /// <summary>Reads a body in the simulator's own snake_case wire format; null when it is not readable.</summary>
    private static async Task<T?> Read<T>(HttpRequest request)
        where T : class
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(SimulatorJson.Options, request.HttpContext.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonHttpResult<SimError> BadBody() => TypedResults.Json(new SimError("invalid_request", "unreadable body"), SimulatorJson.Options, statusCode: 400);

    private static SimNotificationData Data(SimulatedPayment p, long paid) =>
        new("payment", p.Id, p.Reference, p.Status, p.Amount, paid, p.Currency, p.RefundedAmount);

    private static JsonHttpResult<SimError> NotFound() => TypedResults.Json(new SimError("not_found", "no such object"), SimulatorJson.Options, statusCode: 404);

    /// <summary>A VA number that looks like the bank's: the bank's prefix and ten random digits.</summary>
    private static string VaNumber(string? bank)
    {
        var prefix = bank switch
        {
            "bca" => "39011",
            "bni" => "8808",
            "bri" => "26215",
            "mandiri" => "89608",
            "permata" => "8528",
            "cimb" => "5919",
            "bsi" => "9347",
            _ => "9999",
        };
        return prefix + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D10", CultureInfo.InvariantCulture);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gerbang.Domain;
using Gerbang.Simulators.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Simulators.Stripe;

public sealed class StripeSimulatorOptions
{
    public const string Section = "Simulators:Stripe";

    public string SecretKey { get; set; } = "";

    /// <summary>The endpoint secret (<c>whsec_…</c>) its webhooks are signed with.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Where webhooks go; empty means the gateway the simulator is mounted in.</summary>
    public string WebhookUrl { get; set; } = "";
}

/// <summary>A Checkout Session and, once the customer has entered a card, its PaymentIntent.</summary>
public sealed class StripeSession
{
    public required string Id { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public required string CaptureMethod { get; init; }

    public required string? ClientReferenceId { get; init; }

    public required Dictionary<string, string> Metadata { get; init; }

    public required string SuccessUrl { get; init; }

    public required long ExpiresAt { get; init; }

    public required string Url { get; init; }

    public required Uri WebhookUrl { get; init; }

    public string Status { get; set; } = "open";

    public string? PaymentIntentId { get; set; }

    public Lock Gate { get; } = new();
}

public sealed class StripePaymentIntent
{
    public required string Id { get; init; }

    public required StripeSession Session { get; init; }

    public string Status { get; set; } = "requires_payment_method";

    public long AmountReceived { get; set; }

    public long AmountRefunded { get; set; }
}

/// <summary>What the simulated Stripe remembers, including the answers it gave per Idempotency-Key.</summary>
public sealed class StripeSimulatorState
{
    public ConcurrentDictionary<string, StripeSession> Sessions { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, StripePaymentIntent> Intents { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, (string Fingerprint, int Status, string Body)> Idempotent { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Sent { get; } = new();

    public Shared.SimulatorKnobs Knobs { get; } = new();

    private long _sessionCreates;

    public long SessionCreates => Interlocked.Read(ref _sessionCreates);

    public void CountSessionCreate() => Interlocked.Increment(ref _sessionCreates);
}

/// <summary>
/// Stripe as Stripe speaks it, for cards: Bearer secret key, form-encoded bodies with bracket keys,
/// <c>Idempotency-Key</c> replay, amounts in IDR minor units (×100), Checkout Sessions whose card page
/// creates a PaymentIntent (captured at once or held for a manual capture), refunds, and webhooks
/// signed <c>Stripe-Signature: t=…,v1=…</c> with the endpoint secret.
/// </summary>
public static class StripeSimulator
{
    public static void MapStripeSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var api = routes.MapGroup(prefix).AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<StripeSimulatorOptions>>().Value;
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : "";
            if (options.SecretKey.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.SecretKey)))
            {
                return Error(401, "invalid_request_error", null, "Invalid API Key provided.");
            }

            return await next(context);
        }).AddEndpointFilter(Shared.SimulatorKnobs.Filter<StripeSimulatorState>(s => s.Knobs, new JsonObject { ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = "An unknown error occurred" } })).ExcludeFromDescription();

        api.MapPost("/v1/checkout/sessions", CreateSessionAsync).DisableAntiforgery();
        Shared.SimulatorKnobs.MapControl<StripeSimulatorState>(api.MapGroup("/control"), s => s.Knobs);
        api.MapGet("/v1/checkout/sessions/{id}", (string id, StripeSimulatorState state, TimeProvider clock) =>
            state.Sessions.TryGetValue(id, out var s) ? Results.Json(SessionView(s, clock)) : Missing("checkout.session", id));
        api.MapPost("/v1/checkout/sessions/{id}/expire", (string id, HttpContext http) => ExpireIdempotentAsync(id, http)).DisableAntiforgery();
        api.MapGet("/v1/payment_intents/{id}", (string id, StripeSimulatorState state) =>
            state.Intents.TryGetValue(id, out var pi) ? Results.Json(IntentView(pi)) : Missing("payment_intent", id));
        api.MapPost("/v1/payment_intents/{id}/capture", CaptureAsync).DisableAntiforgery();
        api.MapPost("/v1/payment_intents/{id}/cancel", CancelAsync).DisableAntiforgery();
        api.MapPost("/v1/refunds", RefundAsync).DisableAntiforgery();
        api.MapGet("/v1/charges/{id}", (string id, StripeSimulatorState state) =>
            state.Intents.Values.FirstOrDefault(pi => ChargeId(pi) == id) is { } pi ? Results.Json(ChargeView(pi)) : Missing("charge", id));
        api.MapPost("/control/{id}/refund", ProviderRefundAsync);
        api.MapPost("/control/{id}/pay", (string id, HttpContext http) => PayAsync(id, CardPage.ApprovedCard, http));
        api.MapPost("/control/{id}/fail", (string id, HttpContext http) => PayAsync(id, CardPage.DeclinedCard, http));
        api.MapPost("/control/{id}/expire", (string id, HttpContext http) => ExpireAsync(id, http, notify: true));
        api.MapGet("/control/events", (StripeSimulatorState state) => Results.Json(state.Sent.ToArray()));

        var page = routes.MapGroup(prefix).ExcludeFromDescription();
        page.MapGet("/pay/{id}", ShowCardPage);
        page.MapPost("/pay/{id}", SubmitCardAsync).DisableAntiforgery();
    }

    private static IResult Error(int status, string type, string? code, string message) => Results.Json(ErrorBody(type, code, message), statusCode: status);

    /// <summary>Stripe's error object: <c>{"error":{"type","code","message"}}</c>.</summary>
    private static JsonObject ErrorBody(string type, string? code, string message) =>
        new() { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message } };

    private static IResult Missing(string what, string id) => Error(404, "invalid_request_error", "resource_missing", $"No such {what}: '{id}'");

    private static JsonObject SessionView(StripeSession s, TimeProvider clock)
    {
        lock (s.Gate)
        {
            if (s.Status == "open" && s.ExpiresAt <= clock.GetUtcNow().ToUnixTimeSeconds())
            {
                s.Status = "expired";
            }
        }

        var paid = s.PaymentIntentId is not null && s.Status == "complete" && s.CaptureMethod == "automatic";
        var metadata = new JsonObject();
        foreach (var (k, v) in s.Metadata)
        {
            metadata[k] = v;
        }

        return new JsonObject
        {
            ["id"] = s.Id,
            ["object"] = "checkout.session",
            ["mode"] = "payment",
            ["amount_total"] = s.Amount,
            ["currency"] = s.Currency,
            ["client_reference_id"] = s.ClientReferenceId,
            ["metadata"] = metadata,
            ["status"] = s.Status,
            ["payment_status"] = paid ? "paid" : "unpaid",
            ["payment_intent"] = s.PaymentIntentId,
            ["expires_at"] = s.ExpiresAt,
            ["success_url"] = s.SuccessUrl,
            ["url"] = s.Status == "open" ? s.Url : null,
            ["livemode"] = false,
        };
    }

    private static JsonObject IntentView(StripePaymentIntent pi)
    {
        var metadata = new JsonObject();
        foreach (var (k, v) in pi.Session.Metadata)
        {
            metadata[k] = v;
        }

        return new JsonObject
        {
            ["id"] = pi.Id,
            ["object"] = "payment_intent",
            ["amount"] = pi.Session.Amount,
            ["amount_capturable"] = pi.Status == "requires_capture" ? pi.Session.Amount : 0,
            ["amount_received"] = pi.AmountReceived,
            ["currency"] = pi.Session.Currency,
            ["capture_method"] = pi.Session.CaptureMethod,
            ["status"] = pi.Status,
            ["metadata"] = metadata,
            ["latest_charge"] = pi.AmountReceived > 0 ? ChargeId(pi) : null,
            ["livemode"] = false,
        };
    }

    /// <summary>Replays the first answer to an Idempotency-Key; the same key with other parameters is an error, as at Stripe.</summary>
    private static async Task<IResult> IdempotentAsync(HttpRequest request, IFormCollection form, StripeSimulatorState state, Func<Task<(int Status, JsonObject Body)>> act)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        var fingerprint = request.Path + "?" + string.Join('&', form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
        if (key.Length > 0 && state.Idempotent.TryGetValue(key, out var earlier))
        {
            return earlier.Fingerprint == fingerprint
                ? Results.Content(earlier.Body, "application/json", Encoding.UTF8, earlier.Status)
                : Error(400, "idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters they were first used with.");
        }

        var (status, body) = await act();
        var text = body.ToJsonString();
        if (key.Length > 0 && status < 500)
        {
            state.Idempotent.TryAdd(key, (fingerprint, status, text));
        }

        return Results.Content(text, "application/json", Encoding.UTF8, status);
    }

    private static async Task<IResult> CreateSessionAsync(HttpRequest request, StripeSimulatorState state, IOptions<StripeSimulatorOptions> options, TimeProvider clock)
    {
        if (!request.HasFormContentType)
        {
            return Error(400, "invalid_request_error", null, "Stripe takes application/x-www-form-urlencoded bodies.");
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        return await IdempotentAsync(request, form, state, () =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var currency = form["line_items[0][price_data][currency]"].ToString();
            var capture = form["payment_intent_data[capture_method]"].ToString() is { Length: > 0 } c ? c : "automatic";
            var expiresAt = long.TryParse(form["expires_at"], NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : now + 86_400;
            string? problem = null;
            if (form["mode"] != "payment")
            {
                problem = "mode must be payment";
            }
            else if (!long.TryParse(form["line_items[0][price_data][unit_amount]"], NumberStyles.None, CultureInfo.InvariantCulture, out var unit) || unit <= 0
                || !long.TryParse(form["line_items[0][quantity]"], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity <= 0)
            {
                problem = "line_items[0] needs a positive integer price_data[unit_amount] and quantity";
            }
            else if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
            {
                problem = "Invalid currency";
            }
            else if (capture is not ("automatic" or "manual"))
            {
                problem = "Invalid payment_intent_data[capture_method]";
            }
            else if (expiresAt < now + 1800 || expiresAt > now + 86_400)
            {
                problem = "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.";
            }
            else if (!Uri.TryCreate(form["success_url"], UriKind.Absolute, out _))
            {
                problem = "Not a valid URL: success_url";
            }

            if (problem is not null)
            {
                return Task.FromResult((400, ErrorBody("invalid_request_error", null, problem)));
            }

            state.CountSessionCreate();
            var id = "cs_test_" + Ids.RandomBase62(24);
            var metadata = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)).ToDictionary(f => f.Key[9..^1], f => f.Value.ToString(), StringComparer.Ordinal);
            var session = new StripeSession
            {
                Id = id,
                Amount = long.Parse(form["line_items[0][price_data][unit_amount]"]!, CultureInfo.InvariantCulture) * long.Parse(form["line_items[0][quantity]"]!, CultureInfo.InvariantCulture),
                Currency = currency,
                CaptureMethod = capture,
                ClientReferenceId = form["client_reference_id"].ToString() is { Length: > 0 } r ? r : null,
                Metadata = metadata,
                SuccessUrl = form["success_url"]!,
                ExpiresAt = expiresAt,
                Url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path.Value![..^"/v1/checkout/sessions".Length]}/pay/{id}",
                WebhookUrl = SimulatorHttp.NotificationUrl(request, options.Value.WebhookUrl, "/webhooks/stripe"),
            };
            state.Sessions[id] = session;
            return Task.FromResult((200, SessionView(session, clock)));
        });
    }

    private static async Task<IResult> CaptureAsync(string id, HttpRequest request, StripeSimulatorState state, IOptions<StripeSimulatorOptions> options, IHttpClientFactory clients, TimeProvider clock)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : FormCollection.Empty;
        return await IdempotentAsync(request, form, state, async () =>
        {
            if (!state.Intents.TryGetValue(id, out var pi))
            {
                return (404, ErrorBody("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));
            }

            var amount = form["amount_to_capture"].ToString() is { Length: > 0 } text ? long.Parse(text, CultureInfo.InvariantCulture) : pi.Session.Amount;
            lock (pi.Session.Gate)
            {
                if (pi.Status != "requires_capture")
                {
                    return (400, ErrorBody("invalid_request_error", "payment_intent_unexpected_state", $"This PaymentIntent could not be captured because it has a status of {pi.Status}."));
                }

                if (amount <= 0 || amount > pi.Session.Amount)
                {
                    return (400, ErrorBody("invalid_request_error", "amount_too_large", "amount_to_capture exceeds the amount capturable."));
                }

                pi.Status = "succeeded";
                pi.AmountReceived = amount;
                state.Knobs.Books.Taken(pi.Session.ClientReferenceId ?? pi.Session.Id, "IDR", amount / 100);
            }

            await SendAsync(pi.Session.WebhookUrl, "payment_intent.succeeded", IntentView(pi), state, options.Value, clients, clock, request.HttpContext.RequestAborted);
            return (200, IntentView(pi));
        });
    }

    /// <summary>Voids a PaymentIntent, replayed by its <c>Idempotency-Key</c> like every Stripe POST.</summary>
    private static async Task<IResult> CancelAsync(string id, HttpRequest request, StripeSimulatorState state, IOptions<StripeSimulatorOptions> options, IHttpClientFactory clients, TimeProvider clock)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : FormCollection.Empty;
        return await IdempotentAsync(request, form, state, async () =>
        {
            if (!state.Intents.TryGetValue(id, out var pi))
            {
                return (404, ErrorBody("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));
            }

            lock (pi.Session.Gate)
            {
                if (pi.Status is "succeeded" or "canceled")
                {
                    return (400, ErrorBody("invalid_request_error", "payment_intent_unexpected_state", $"You cannot cancel this PaymentIntent because it has a status of {pi.Status}."));
                }

                pi.Status = "canceled";
            }

            await SendAsync(pi.Session.WebhookUrl, "payment_intent.canceled", IntentView(pi), state, options.Value, clients, clock, request.HttpContext.RequestAborted);
            return (200, IntentView(pi));
        });
    }

    private static string ChargeId(StripePaymentIntent pi) => "ch_" + pi.Id[3..];

    /// <summary>The PaymentIntent's charge: what it took and, cumulatively, what has been refunded on it.</summary>
    private static JsonObject ChargeView(StripePaymentIntent pi)
    {
        var view = IntentView(pi);
        return new JsonObject
        {
            ["id"] = ChargeId(pi),
            ["object"] = "charge",
            ["amount"] = pi.Session.Amount,
            ["amount_captured"] = pi.AmountReceived,
            ["amount_refunded"] = pi.AmountRefunded,
            ["refunded"] = pi.AmountRefunded > 0 && pi.AmountRefunded == pi.AmountReceived,
            ["currency"] = pi.Session.Currency,
            ["payment_intent"] = pi.Id,
            ["metadata"] = view["metadata"]!.DeepClone(),
            ["livemode"] = false,
        };
    }

    /// <summary>A refund from the Stripe dashboard, which the merchant system did not ask for: Stripe sends <c>charge.refunded</c>.</summary>
    private static async Task<IResult> ProviderRefundAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<StripeSimulatorState>();
        var pi = state.Intents.TryGetValue(id, out var byIntent) ? byIntent
            : state.Sessions.TryGetValue(id, out var session) && session.PaymentIntentId is { } intentId ? state.Intents[intentId] : null;
        if (pi is null)
        {
            return Missing("payment_intent", id);
        }

        long? asked = http.Request.HasJsonContentType() ? (await System.Text.Json.Nodes.JsonNode.ParseAsync(http.Request.Body))?["amount"]?.GetValue<long>() : null;
        lock (pi.Session.Gate)
        {
            var amount = asked is { } rupiah ? rupiah * 100 : pi.AmountReceived - pi.AmountRefunded;
            if (pi.Status != "succeeded" || amount <= 0 || pi.AmountRefunded + amount > pi.AmountReceived)
            {
                return Error(400, "invalid_request_error", "charge_already_refunded", "Refund amount is greater than the unrefunded amount on the charge.");
            }

            pi.AmountRefunded += amount;
            state.Knobs.Books.Refunded(pi.Session.ClientReferenceId ?? pi.Session.Id, "IDR", amount / 100);
        }

        var answered = await SendChargeRefundedAsync(pi, http);
        return Results.Json(new JsonObject { ["payment_intent"] = pi.Id, ["receiver_status"] = answered });
    }

    private static Task<int?> SendChargeRefundedAsync(StripePaymentIntent pi, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<StripeSimulatorState>();
        var options = http.RequestServices.GetRequiredService<IOptions<StripeSimulatorOptions>>().Value;
        return SendAsync(pi.Session.WebhookUrl, "charge.refunded", ChargeView(pi), state, options, http.RequestServices.GetRequiredService<IHttpClientFactory>(), http.RequestServices.GetRequiredService<TimeProvider>(), CancellationToken.None);
    }

    private static async Task<IResult> RefundAsync(HttpRequest request, StripeSimulatorState state)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : FormCollection.Empty;
        StripePaymentIntent? refunded = null;
        var answer = await IdempotentAsync(request, form, state, () =>
        {
            var id = form["payment_intent"].ToString();
            if (!state.Intents.TryGetValue(id, out var pi))
            {
                return Task.FromResult((404, ErrorBody("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'")));
            }

            lock (pi.Session.Gate)
            {
                var amount = form["amount"].ToString() is { Length: > 0 } text ? long.Parse(text, CultureInfo.InvariantCulture) : pi.AmountReceived - pi.AmountRefunded;
                if (pi.Status != "succeeded" || amount <= 0 || pi.AmountRefunded + amount > pi.AmountReceived)
                {
                    return Task.FromResult((400, ErrorBody("invalid_request_error", "charge_already_refunded", "Refund amount is greater than the unrefunded amount on the charge.")));
                }

                pi.AmountRefunded += amount;
                state.Knobs.Books.Refunded(pi.Session.ClientReferenceId ?? pi.Session.Id, "IDR", amount / 100);
                refunded = pi;
                return Task.FromResult((200, new JsonObject { ["id"] = "re_" + Ids.RandomBase62(24), ["object"] = "refund", ["amount"] = amount, ["currency"] = pi.Session.Currency, ["payment_intent"] = pi.Id, ["status"] = "succeeded" }));
            }
        });
        if (refunded is not null)
        {
            // Each refund is announced: charge.refunded carries the charge's running amount_refunded.
            await SendChargeRefundedAsync(refunded, request.HttpContext);
        }

        return answer;
    }

    /// <summary>The customer enters a card: a good one authorises (and with automatic capture charges), a declined one fails the attempt.</summary>
    private static async Task<IResult> PayAsync(string id, string card, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<StripeSimulatorState>();
        if (!state.Sessions.TryGetValue(id, out var session))
        {
            return Missing("checkout.session", id);
        }

        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        StripePaymentIntent pi;
        lock (session.Gate)
        {
            if (session.Status != "open")
            {
                return Error(400, "invalid_request_error", "checkout_session_unexpected_state", $"This Checkout Session is {session.Status}.");
            }

            pi = session.PaymentIntentId is { } existing ? state.Intents[existing] : new StripePaymentIntent { Id = "pi_" + Ids.RandomBase62(24), Session = session };
            state.Intents[pi.Id] = pi;
            session.PaymentIntentId = pi.Id;
            if (card == CardPage.ApprovedCard)
            {
                session.Status = "complete";
                pi.Status = session.CaptureMethod == "manual" ? "requires_capture" : "succeeded";
                pi.AmountReceived = pi.Status == "succeeded" ? session.Amount : 0;
                if (pi.AmountReceived > 0)
                {
                    state.Knobs.Books.Taken(session.ClientReferenceId ?? session.Id, "IDR", pi.AmountReceived / 100);
                }
            }
        }

        var options = http.RequestServices.GetRequiredService<IOptions<StripeSimulatorOptions>>().Value;
        var clients = http.RequestServices.GetRequiredService<IHttpClientFactory>();
        var type = pi.Status switch
        {
            "succeeded" => "payment_intent.succeeded",
            "requires_capture" => "payment_intent.amount_capturable_updated",
            _ => "payment_intent.payment_failed",
        };
        if (session.Status == "complete")
        {
            await SendAsync(session.WebhookUrl, "checkout.session.completed", SessionView(session, clock), state, options, clients, clock, http.RequestAborted);
        }

        var answered = await SendAsync(session.WebhookUrl, type, IntentView(pi), state, options, clients, clock, http.RequestAborted);
        return Results.Json(new JsonObject { ["id"] = session.Id, ["payment_intent"] = pi.Id, ["status"] = pi.Status, ["receiver_status"] = answered });
    }

    private static async Task<IResult> ExpireAsync(string id, HttpContext http, bool notify)
    {
        var (status, body) = await ExpireCoreAsync(id, http, notify);
        return Results.Json(body, statusCode: status);
    }

    /// <summary>The merchant's own expire, replayed by its <c>Idempotency-Key</c> like every Stripe POST.</summary>
    private static async Task<IResult> ExpireIdempotentAsync(string id, HttpContext http)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : FormCollection.Empty;
        return await IdempotentAsync(http.Request, form, http.RequestServices.GetRequiredService<StripeSimulatorState>(), () => ExpireCoreAsync(id, http, notify: true));
    }

    private static async Task<(int Status, JsonObject Body)> ExpireCoreAsync(string id, HttpContext http, bool notify)
    {
        var state = http.RequestServices.GetRequiredService<StripeSimulatorState>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        if (!state.Sessions.TryGetValue(id, out var session))
        {
            return (404, ErrorBody("invalid_request_error", "resource_missing", $"No such checkout.session: '{id}'"));
        }

        lock (session.Gate)
        {
            if (session.Status != "open")
            {
                return (400, ErrorBody("invalid_request_error", "checkout_session_unexpected_state", $"Only Checkout Sessions with a status in [\"open\"] can be expired. This one is {session.Status}."));
            }

            session.Status = "expired";
        }

        // Stripe announces an expiry (checkout.session.expired) whoever caused it.
        int? answered = null;
        if (notify)
        {
            var options = http.RequestServices.GetRequiredService<IOptions<StripeSimulatorOptions>>().Value;
            answered = await SendAsync(session.WebhookUrl, "checkout.session.expired", SessionView(session, clock), state, options, http.RequestServices.GetRequiredService<IHttpClientFactory>(), clock, http.RequestAborted);
        }

        var view = SessionView(session, clock);
        view["receiver_status"] = answered ?? 200;
        return (200, view);
    }

    private static async Task<int?> SendAsync(Uri url, string type, JsonObject data, StripeSimulatorState state, StripeSimulatorOptions options, IHttpClientFactory clients, TimeProvider clock, CancellationToken cancellationToken)
    {
        var created = clock.GetUtcNow().ToUnixTimeSeconds();
        var body = new JsonObject
        {
            ["id"] = "evt_" + Ids.RandomBase62(24),
            ["object"] = "event",
            ["api_version"] = "2024-06-20",
            ["created"] = created,
            ["type"] = type,
            ["livemode"] = false,
            ["data"] = new JsonObject { ["object"] = data.DeepClone() },
        }.ToJsonString();
        state.Sent.Enqueue(body);
        var signature = ProviderSigners.Stripe(options.WebhookSecret, created, Encoding.UTF8.GetBytes(body));
        var client = clients.CreateClient(Generic.GenericNotifier.HttpClientName);
        return await NotificationSender.DeliverAsync(state.Knobs, client, url, body, new Dictionary<string, string> { ["Stripe-Signature"] = signature }, cancellationToken);
    }

    private static ContentHttpResult ShowCardPage(string id, StripeSimulatorState state) =>
        state.Sessions.TryGetValue(id, out var s)
            ? CardPage.Form(id, "Pay (Stripe simulator)", $"{s.Currency.ToUpperInvariant()} {(s.Amount / 100m).ToString("N2", CultureInfo.InvariantCulture)}", s.Status)
            : CardPage.Message("Not found", "No such Checkout Session.", 404);

    private static async Task<IResult> SubmitCardAsync(string id, HttpContext http)
    {
        var state = http.RequestServices.GetRequiredService<StripeSimulatorState>();
        if (!state.Sessions.TryGetValue(id, out var session) || await CardPage.ReadNumberAsync(http.Request, http.RequestAborted) is not { } card)
        {
            return CardPage.Message("Not found", "No such Checkout Session.", 404);
        }

        await PayAsync(id, card, http);
        return session.Status == "complete"
            ? Results.Redirect(session.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", session.Id, StringComparison.Ordinal))
            : CardPage.Message("Declined", "Your card was declined.", 402);
    }
}

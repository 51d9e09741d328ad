using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Simulators.Shared;

/// <summary>
/// Per-run behaviour of a simulated provider, changed through its control API so that tests can make
/// a provider slow, flaky, silent or disorderly. Seeded, so a run can be repeated exactly.
/// </summary>
public sealed class SimulatorKnobs
{
    private readonly Lock _gate = new();
    private Random _random = new(1);

    /// <summary>What the simulated provider has notified, kept for redelivery (not reset with the knobs).</summary>
    public NotificationLog Sent { get; } = new();

    /// <summary>The simulated provider's books per merchant reference (not reset with the knobs).</summary>
    public SimulatorBooks Books { get; } = new();

    /// <summary>Added to every API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Added after the provider has acted and before it answers: with a caller timeout shorter than
    /// this, the caller is charged but never answered.
    /// </summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Share of API calls (0..1) answered with a 5xx before anything is done.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Share of API calls (0..1) answered 429 with <c>Retry-After</c> before anything is done.</summary>
    public double RateLimitRate { get; set; }

    /// <summary>The <c>Retry-After</c> of a 429, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>When true, every API call is refused with 503 (the provider is down).</summary>
    public bool Down { get; set; }

    /// <summary>Notifications are lost: the provider acts but never tells.</summary>
    public bool DropNotifications { get; set; }

    /// <summary>Every notification is delivered twice.</summary>
    public bool DuplicateNotifications { get; set; }

    /// <summary>After a final notification, an older one (still pending) is delivered too.</summary>
    public bool OutOfOrderNotifications { get; set; }

    /// <summary>A payment created is paid and notified before the create call is answered.</summary>
    public bool NotifyBeforeResponse { get; set; }

    /// <summary>The customer may still pay a payment the provider has expired.</summary>
    public bool PayAfterExpiry { get; set; }

    /// <summary>Payouts stay pending: no final state, no notification, until this is turned off and they are driven.</summary>
    public bool StuckPayouts { get; set; }

    /// <summary>
    /// Unconfirmed: a payout request repeated with the reference of one already taken is answered 409
    /// ("in progress") instead of with the first payout, as some providers do while it is processed.
    /// </summary>
    public bool RefuseRepeatedPayouts { get; set; }

    /// <summary>The provider acts, then answers 5xx (some providers document a 500 as an unknown outcome).</summary>
    public bool ErrorAfterActing { get; set; }

    public void Reseed(int seed)
    {
        lock (_gate)
        {
            _random = new Random(seed);
        }
    }

    public bool ShouldFail() => Down || Draw(ErrorRate);

    public bool ShouldRateLimit() => Draw(RateLimitRate);

    public void Reset()
    {
        Latency = TimeSpan.Zero;
        AnswerDelay = TimeSpan.Zero;
        ErrorRate = 0;
        RateLimitRate = 0;
        RetryAfterSeconds = 1;
        Down = false;
        DropNotifications = false;
        DuplicateNotifications = false;
        OutOfOrderNotifications = false;
        NotifyBeforeResponse = false;
        PayAfterExpiry = false;
        StuckPayouts = false;
        RefuseRepeatedPayouts = false;
        ErrorAfterActing = false;
        Reseed(1);
    }

    /// <summary>
    /// Sets the knobs named in <paramref name="body"/> (snake_case, durations in ms); the others keep
    /// their value. Answers the problem in a knob, or null.
    /// </summary>
    public string? Apply(JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            try
            {
                switch (name)
                {
                    case "seed": Reseed(value!.GetValue<int>()); break;
                    case "latency_ms": Latency = TimeSpan.FromMilliseconds(value!.GetValue<int>()); break;
                    case "answer_delay_ms": AnswerDelay = TimeSpan.FromMilliseconds(value!.GetValue<int>()); break;
                    case "error_rate": ErrorRate = value!.GetValue<double>(); break;
                    case "rate_limit_rate": RateLimitRate = value!.GetValue<double>(); break;
                    case "retry_after_seconds": RetryAfterSeconds = value!.GetValue<int>(); break;
                    case "down": Down = value!.GetValue<bool>(); break;
                    case "drop_notifications": DropNotifications = value!.GetValue<bool>(); break;
                    case "duplicate_notifications": DuplicateNotifications = value!.GetValue<bool>(); break;
                    case "out_of_order_notifications": OutOfOrderNotifications = value!.GetValue<bool>(); break;
                    case "notify_before_response": NotifyBeforeResponse = value!.GetValue<bool>(); break;
                    case "pay_after_expiry": PayAfterExpiry = value!.GetValue<bool>(); break;
                    case "stuck_payouts": StuckPayouts = value!.GetValue<bool>(); break;
                    case "refuse_repeated_payouts": RefuseRepeatedPayouts = value!.GetValue<bool>(); break;
                    case "error_after_acting": ErrorAfterActing = value!.GetValue<bool>(); break;
                    case "reset" when value!.GetValue<bool>(): Reset(); break;
                    default: return $"unknown knob {name}";
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
            {
                return $"bad value for {name}";
            }
        }

        return null;
    }

    /// <summary>
    /// The knobs applied to a simulator's API calls: latency first, then outage (503, answered with
    /// <paramref name="outage"/>) or rate limit (429 with <c>Retry-After</c>), then the call, then the late answer.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Filter<TState>(Func<TState, SimulatorKnobs> knobsOf, JsonObject outage)
        where TState : notnull =>
        Filter(knobsOf, status => status == 503
            ? Results.Json(outage, statusCode: 503)
            : Results.Json(new JsonObject { ["error"] = "rate_limited", ["message"] = "Too many requests" }, statusCode: 429));

    /// <summary>The same, with the refusals (503, 429) in the simulator's own error shape. The control API is never slowed or failed.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Filter<TState>(Func<TState, SimulatorKnobs> knobsOf, Func<int, IResult> refusal)
        where TState : notnull =>
        async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.Path.Value?.Contains("/control/", StringComparison.Ordinal) == true)
            {
                return await next(context);
            }

            var knobs = knobsOf(http.RequestServices.GetRequiredService<TState>());
            if (knobs.Latency > TimeSpan.Zero)
            {
                await Task.Delay(knobs.Latency, http.RequestAborted);
            }

            if (knobs.ShouldFail())
            {
                return refusal(503);
            }

            if (knobs.ShouldRateLimit())
            {
                http.Response.Headers.RetryAfter = knobs.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return refusal(429);
            }

            var result = await next(context);
            if (knobs.ErrorAfterActing && !HttpMethods.IsGet(http.Request.Method))
            {
                // The work is done; the answer says the provider failed.
                return refusal(503);
            }

            if (knobs.AnswerDelay > TimeSpan.Zero)
            {
                // The work is done; only the answer is late (a caller giving up changes nothing).
                await Task.Delay(knobs.AnswerDelay, CancellationToken.None);
            }

            return result;
        };

    /// <summary><c>POST {control}/knobs</c>: set knobs; <c>GET {control}/knobs</c>: read them.</summary>
    public static void MapControl<TState>(RouteGroupBuilder control, Func<TState, SimulatorKnobs> knobsOf)
        where TState : notnull
    {
        control.MapPost("/knobs", async (HttpContext http) =>
        {
            JsonObject? body;
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                body = null;
            }

            var problem = body is null ? "a JSON object is required" : knobsOf(http.RequestServices.GetRequiredService<TState>()).Apply(body);
            return problem is null ? Results.NoContent() : Results.Json(new JsonObject { ["error"] = "bad_knobs", ["message"] = problem }, statusCode: 400);
        });
        control.MapGet("/knobs", (HttpContext http) => Results.Json(knobsOf(http.RequestServices.GetRequiredService<TState>()).Describe()));

        // The provider's retries: any notification it sent, delivered again later exactly as it was.
        control.MapGet("/notifications", (HttpContext http) =>
            Results.Json(new JsonObject { ["data"] = new JsonArray([.. knobsOf(http.RequestServices.GetRequiredService<TState>()).Sent.All.Select(n => (JsonNode)n.Describe())]) }));
        control.MapPost("/notifications/{id}/redeliver", async (string id, HttpContext http) =>
        {
            var knobs = knobsOf(http.RequestServices.GetRequiredService<TState>());
            if (knobs.Sent.Find(id) is not { } sent)
            {
                return Results.Json(new JsonObject { ["error"] = "not_found", ["message"] = "no such notification" }, statusCode: 404);
            }

            var client = http.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(Generic.GenericNotifier.HttpClientName);
            var answered = await NotificationSender.RedeliverAsync(client, sent, http.RequestAborted);
            return Results.Json(new JsonObject { ["id"] = sent.Id, ["receiver_status"] = answered });
        });
        control.MapGet("/books", (HttpContext http) => Results.Json(knobsOf(http.RequestServices.GetRequiredService<TState>()).Books.Describe()));
    }

    public JsonObject Describe() => new()
    {
        ["latency_ms"] = (int)Latency.TotalMilliseconds,
        ["answer_delay_ms"] = (int)AnswerDelay.TotalMilliseconds,
        ["error_rate"] = ErrorRate,
        ["rate_limit_rate"] = RateLimitRate,
        ["retry_after_seconds"] = RetryAfterSeconds,
        ["down"] = Down,
        ["drop_notifications"] = DropNotifications,
        ["duplicate_notifications"] = DuplicateNotifications,
        ["out_of_order_notifications"] = OutOfOrderNotifications,
        ["notify_before_response"] = NotifyBeforeResponse,
        ["pay_after_expiry"] = PayAfterExpiry,
        ["stuck_payouts"] = StuckPayouts,
        ["refuse_repeated_payouts"] = RefuseRepeatedPayouts,
        ["error_after_acting"] = ErrorAfterActing,
    };

    private bool Draw(double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            return _random.NextDouble() < rate;
        }
    }
}

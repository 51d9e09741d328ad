using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Streams;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Checkout;

/// <summary>
/// The hosted checkout, reached by the customer's browser with nothing but the session id: the page,
/// its state, choosing a method (which creates the payment), the QR image, a live stream of the
/// payment's status and, in test mode, a button that pays through the simulator. No key and no
/// merchant data beyond the name, amount and order reach the browser.
/// </summary>
public static class CheckoutPageEndpoints
{
    public static void MapCheckoutPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/checkout.js", () => Asset("checkout.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        var group = app.MapGroup("/checkout").ExcludeFromDescription();
        group.MapGet("/assets/{name}", (string name) => name switch
        {
            "checkout.css" => Asset(name, "text/css; charset=utf-8"),
            "checkout-page.js" => Asset(name, "text/javascript; charset=utf-8"),
            _ => Results.NotFound(),
        });
        group.MapGet("/done", () => Results.Content(Html.Done, "text/html; charset=utf-8", Encoding.UTF8));
        group.MapGet("/{id}", PageAsync);
        var state = group.MapGroup("").ReadsBodies().AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
        state.MapGet("/{id}/state", StateAsync);
        state.MapPost("/{id}/payments", ChooseAsync).RequireRateLimiting(RateLimits.Checkout);
        group.MapGet("/{id}/qr.svg", QrAsync);
        group.MapGet("/{id}/events", EventsAsync);
        group.MapPost("/{id}/simulate", SimulateAsync).RequireRateLimiting(RateLimits.Checkout);
    }

    private static IResult Asset(string name, string contentType)
    {
        using var stream = typeof(CheckoutPageEndpoints).Assembly.GetManifestResourceStream("Checkout." + name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }

    private static async Task<IResult> PageAsync(string id, HttpContext http, NpgsqlDataSource db, TimeProvider clock)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, http.RequestAborted);
        if (session is null)
        {
            return Results.Content(Html.NotFound, "text/html; charset=utf-8", Encoding.UTF8, 404);
        }

        string merchantName;
        await using (var cmd = db.CreateCommand("select name from merchants where id = $1"))
        {
            cmd.Parameters.Add(new() { Value = session.MerchantId });
            merchantName = (string)(await cmd.ExecuteScalarAsync(http.RequestAborted))!;
        }

        // Only the merchant's own origins may frame the page and hear its messages.
        var requested = http.Request.Query["origin"].ToString();
        var parentOrigin = session.Origins.Contains(requested, StringComparer.Ordinal) ? requested : "";
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self' {string.Join(' ', session.Origins)}";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Content(Html.Page(session, merchantName, parentOrigin), "text/html; charset=utf-8");
    }

    internal sealed record InstructionsView(string Type, string? Bank, string? VaNumber, string? BillerCode, string? QrImageUrl);

    internal sealed record PaymentState(string Id, string Status, string Method, InstructionsView? Instructions, string ExpiresAt);

    /// <summary>What the hosted page shows: the session, and its payment once the customer has chosen a method.</summary>
    internal sealed record SessionState(string Id, string Status, bool Livemode, long Amount, string Currency, string[] Methods, IReadOnlyList<string> Banks, string ExpiresAt, PaymentState? Payment);

    private static Task<PaymentRow?> PaymentOfAsync(PaymentStore payments, CheckoutSession session, CancellationToken ct) =>
        session.PaymentId is null ? Task.FromResult<PaymentRow?>(null) : payments.GetAsync(session.Merchant, session.PaymentId, ct);

    private static async Task<SessionState> StateOfAsync(PaymentStore payments, CheckoutSession session, DateTimeOffset now, CancellationToken ct)
    {
        var payment = await PaymentOfAsync(payments, session, ct);
        PaymentState? view = null;
        if (payment is not null)
        {
            InstructionsView? instructions = null;
            if (payment.InstructionsJson is { } json)
            {
                using var doc = JsonDocument.Parse(json);
                var i = doc.RootElement;
                string? S(string name) => i.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                var type = S("type") ?? payment.Method;
                instructions = new InstructionsView(type, S("bank"), S("va_number"), S("biller_code"), type == "qris" ? $"/checkout/{session.Id}/qr.svg" : null);
            }

            view = new PaymentState(payment.Id, payment.Status.ToWire(), payment.Method, instructions, ApiJson.Time(payment.ExpiresAt));
        }

        return new SessionState(session.Id, session.StatusFor(payment?.Status, now), session.Mode == "live", session.Amount, session.Currency, session.Methods, PaymentMethods.VaBanks, ApiJson.Time(session.ExpiresAt), view);
    }

    internal static async Task<Result<SessionState>> StateAsync(string id, NpgsqlDataSource db, PaymentStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, cancellationToken);
        return session is null ? Refusal.NotFound("checkout session") : await StateOfAsync(store, session, clock.GetUtcNow(), cancellationToken);
    }

    /// <summary>The customer chooses a method: the session's one payment is created (or, chosen before, shown again).</summary>
    internal static async Task<Result<SessionState>> ChooseAsync(
        string id, Body<ChooseMethodBody> body, NpgsqlDataSource db, PaymentStore store, CreatePaymentHandler payments, TimeProvider clock, CancellationToken cancellationToken)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, cancellationToken);
        if (session is null)
        {
            return Refusal.NotFound("checkout session");
        }

        var now = clock.GetUtcNow();
        if (now >= session.ExpiresAt)
        {
            return new Refusal(409, "checkout_session_expired", "This checkout has expired.");
        }

        if (session.PaymentId is not null)
        {
            return await StateOfAsync(store, session, now, cancellationToken); // one payment per session: show it again
        }

        var (methodText, bank) = (body.Value.Method, body.Value.Bank);
        if (!PaymentMethods.TryParse(methodText, out var method) || !session.Methods.Contains(methodText))
        {
            return Refusal.Invalid([new FieldError("method", "parameter_invalid", $"method must be one of: {string.Join(", ", session.Methods)}.")]);
        }

        if (method == PaymentMethod.Va && (bank is null || !PaymentMethods.VaBanks.Contains(bank)))
        {
            return Refusal.Invalid([new FieldError("bank", "parameter_invalid", $"bank must be one of: {string.Join(", ", PaymentMethods.VaBanks)}.")]);
        }

        await using (var merchantStatus = db.CreateCommand("select status from merchants where id = $1"))
        {
            merchantStatus.Parameters.Add(new() { Value = session.MerchantId });
            if ((string?)await merchantStatus.ExecuteScalarAsync(cancellationToken) == "suspended")
            {
                return new Refusal(403, "merchant_suspended", "This shop cannot take payments right now.");
            }
        }

        var expiresAt = now + method.DefaultExpiry() < session.ExpiresAt ? now + method.DefaultExpiry() : session.ExpiresAt;
        var request = new CreatePaymentRequest(
            new Money(session.Amount, Currency.Parse(session.Currency)), method, method == PaymentMethod.Va ? bank : null, session.OrderId,
            session.Description, null, null, null, JsonSerializer.Serialize(new Dictionary<string, string> { ["checkout_session"] = session.Id }), null, null, null, expiresAt);
        var outcome = await payments.HandleAsync(session.Merchant, request, Answers<CreatePaymentOutcome>.None, cancellationToken);
        if (outcome is not CreatePaymentOutcome.Created created)
        {
            return outcome.Refusal;
        }

        session = session with { PaymentId = created.Payment.Id };
        await using (var link = db.CreateCommand("update checkout_sessions set payment_id = $2 where id = $1 and payment_id is null"))
        {
            link.Parameters.Add(new() { Value = session.Id });
            link.Parameters.Add(new() { Value = session.PaymentId });
            await link.ExecuteNonQueryAsync(cancellationToken);
        }

        return Result<SessionState>.Created(await StateOfAsync(store, session, now, cancellationToken));
    }

    private static async Task<IResult> QrAsync(string id, NpgsqlDataSource db, PaymentStore store, CancellationToken cancellationToken)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, cancellationToken);
        var payment = session is null ? null : await PaymentOfAsync(store, session, cancellationToken);
        return payment is null ? Problems.NotFound("payment") : PaymentEndpoints.QrImage(payment);
    }

    private static async Task EventsAsync(string id, HttpContext http, NpgsqlDataSource db, EventStreamHub hub)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, http.RequestAborted);
        if (session?.PaymentId is not { } paymentId)
        {
            await Problems.NotFound("payment").ExecuteAsync(http);
            return;
        }

        // The page hears only its payment's status, never the merchant's event bodies.
        await EventStreamEndpoints.SendAsync(http, hub, session.MerchantId, session.Mode, e => e.ObjectId == paymentId, null,
            e => JsonSerializer.Serialize(new { type = e.Type, status = e.Type.StartsWith("payment.", StringComparison.Ordinal) ? e.Type["payment.".Length..] : null }));
    }

    private static async Task<IResult> SimulateAsync(string id, NpgsqlDataSource db, PaymentStore store, ProviderRegistry providers, CancellationToken cancellationToken)
    {
        var session = await CheckoutSession.FindAsync(db, id, null, cancellationToken);
        var payment = session is null || session.ModeValue != Mode.Test ? null : await PaymentOfAsync(store, session, cancellationToken);
        var control = payment is null ? null : providers.TestControl(Mode.Test, payment.Provider);
        if (payment?.ProviderReference is null || control is null)
        {
            return Problems.NotFound("payment");
        }

        var result = await control.PayAsync(payment.ProviderReference, null, cancellationToken);
        return result.Done ? Results.NoContent() : Problems.Create(409, "simulation_refused", result.Error ?? "The simulator refused.");
    }

    /// <summary>An amount for people: rupiah as <c>Rp150.000</c>; a currency with minor units as <c>2,500.00 INR</c>.</summary>
    internal static string DisplayAmount(long amount, string currency) =>
        currency == "IDR" ? "Rp" + amount.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.')
        : Domain.Currency.TryParse(currency, out var c) && c.Exponent > 0
            ? $"{(amount / (decimal)Math.Pow(10, c.Exponent)).ToString("N" + c.Exponent.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)} {currency}"
            : $"{amount.ToString(CultureInfo.InvariantCulture)} {currency}";

    internal static string E(string? s) => HtmlEncoder.Default.Encode(s ?? "");
}

/// <summary>The method the customer chose on the hosted page (and the bank, for a virtual account).</summary>
public sealed record ChooseMethodBody(string Method, string? Bank) : IRequestBody<ChooseMethodBody>
{
    public static ChooseMethodBody? Read(Fields f)
    {
        var method = f.String("method", required: true, maxLength: 10);
        var bank = f.String("bank", required: false, maxLength: 20);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ChooseMethodBody(method!, bank);
    }
}

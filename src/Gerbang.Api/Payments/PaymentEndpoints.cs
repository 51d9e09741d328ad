using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using QRCoder;

namespace Gerbang.Api.Payments;

public static class PaymentEndpoints
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeeOptions>().Bind(configuration.GetSection(FeeOptions.Section));
        services.AddSingleton<FeeResolver>();
        services.AddSingleton<Jobs.IJobHandler, AttemptWithdrawal>();
        services.AddSingleton<PaymentStore>();
        services.AddSingleton<CreatePaymentHandler>();
        services.AddSingleton<PaymentTransitions>();
        services.AddSingleton<PaymentObservations>();
        services.AddSingleton<CancelPaymentHandler>();
        services.AddSingleton<CapturePaymentHandler>();
        return services;
    }

    public static void MapPayments(this RouteGroupBuilder v1)
    {
        var payments = v1.MapGroup("/payments").WithTags("payments");
        payments.MapPost("", CreateAsync)
            .Doc("createPayment", "Create a payment", "Routes the payment to a provider (or the one asked for) and answers with what the customer needs to pay: a virtual account number, a QRIS string, a card page or a UPI request.")
            .Body(CreatePaymentBody.Example).Returns<PaymentView>(201)
            .Fails(400, "currency_invalid", "method_invalid", "bank_invalid", "vpa_invalid", "provider_invalid", "parameter_unexpected", "parameter_invalid_length", "parameter_invalid_integer", "parameter_out_of_range", "parameter_invalid_time", "parameter_conflict", "amount_too_small", "amount_too_large", "items_total_mismatch", "metadata_too_many_keys", "metadata_key_invalid", "metadata_value_invalid", "url_invalid", "url_not_https")
            .Fails(403, "merchant_suspended", "merchant_not_approved")
            .Fails(409, "order_id_in_use")
            .Fails(422, "no_provider_available", "provider_declined")
            .Fails(502, "provider_error").Fails(503, "provider_unavailable").Fails(504, "provider_timeout");
        payments.MapGet("", ListAsync).Doc("listPayments", "List payments", "Newest first.")
            .Lists<PaymentView>(PaymentStore.ListFilters);
        payments.MapGet("/{id}", GetAsync).Doc("getPayment", "Get a payment").Returns<PaymentView>().NotFound();
        payments.MapGet("/{id}/qr.svg", QrAsync).Doc("getPaymentQr", "Get a payment's QR code", "The QRIS code as an SVG image, for a payment that has one.")
            .Produces<string>(200, "image/svg+xml").Fails(404, "resource_missing", "qr_not_available");
        payments.MapGet("/{id}/attempts", AttemptsAsync).Doc("listPaymentAttempts", "List a payment's attempts", "Each provider attempt of the payment, with its outcome (a payment that failed over has several).")
            .Returns<ListQuery.ListView<AttemptView>>().NotFound();
        payments.MapPost("/{id}/cancel", async (string id, HttpContext http, CancelPaymentHandler handler) => CancelPaymentOutcome.Answer(await handler.HandleAsync(MerchantContext.Of(http), id, http.RequestAborted)))
            .Doc("cancelPayment", "Cancel a payment", "Closes an unpaid payment at its provider (or releases a card authorisation).")
            .Returns<PaymentView>().NotFound().Fails(409, "payment_not_cancellable").Fails(502, "provider_error").Fails(503, "provider_unavailable").Fails(504, "provider_timeout");
        payments.MapPost("/{id}/capture", CaptureAsync)
            .Doc("capturePayment", "Capture a card authorisation", "Charges all of an authorised card payment, or less.")
            .Body(new CapturePaymentBody { Amount = 150000 }, optional: true).Returns<PaymentView>().NotFound()
            .Fails(400, "parameter_invalid_integer", "amount_too_small", "amount_too_large")
            .Fails(409, "payment_not_capturable", "capture_in_progress").Fails(422, "capture_exceeds_authorized")
            .Fails(502, "provider_error").Fails(503, "provider_unavailable").Fails(504, "provider_timeout");

        var helpers = v1.MapGroup("/test_helpers/payments").WithTags("test helpers");
        helpers.MapPost("/{id}/pay", (string id, HttpContext http, PaymentStore store, ProviderRegistry providers, GerbangUrls urls) =>
            TestHelperAsync(id, http, store, providers, urls, (c, reference, amount, ct) => c.PayAsync(reference, amount, ct)))
            .Doc("testPayPayment", "Pay a test payment", "The provider's simulator takes the customer's payment (of another amount when given) and notifies Gerbang as the provider would.")
            .Body(new CapturePaymentBody { Amount = 150000 }, optional: true).Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
        helpers.MapPost("/{id}/fail", (string id, HttpContext http, PaymentStore store, ProviderRegistry providers, GerbangUrls urls) =>
            TestHelperAsync(id, http, store, providers, urls, (c, reference, _, ct) => c.FailAsync(reference, ct)))
            .Doc("testFailPayment", "Fail a test payment", "The provider's simulator declines the payment and notifies Gerbang.")
            .Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
        helpers.MapPost("/{id}/expire", (string id, HttpContext http, PaymentStore store, ProviderRegistry providers, GerbangUrls urls) =>
            TestHelperAsync(id, http, store, providers, urls, (c, reference, _, ct) => c.ExpireAsync(reference, ct)))
            .Doc("testExpirePayment", "Expire a test payment", "The provider's simulator lets the payment expire and notifies Gerbang.")
            .Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
    }

    private static async Task<ApiResponse> CreateAsync(HttpContext http, CreatePaymentHandler handler, TimeProvider clock)
    {
        if (!RequestBody.TryParseObject(http, emptyAllowed: false, out var root, out var problem))
        {
            return problem!;
        }

        var merchant = MerchantContext.Of(http);
        var request = CreatePaymentRequest.Parse(root, clock.GetUtcNow(), merchant.Mode == Mode.Live, out var errors);
        if (request is null)
        {
            return Problems.Validation(errors);
        }

        var answers = new Answers<CreatePaymentOutcome>(http, CreatePaymentOutcome.Answer);
        return answers.Answer(await handler.HandleAsync(merchant, request, answers, http.RequestAborted));
    }

    internal static async Task<ApiResponse> CaptureAsync(string id, HttpContext http, CapturePaymentHandler handler)
    {
        if (!RequestBody.TryParseObject(http, emptyAllowed: true, out var root, out var problem))
        {
            return problem!;
        }

        var f = new Fields(root);
        return CapturePaymentBody.Read(f) is { } body
            ? CapturePaymentOutcome.Answer(await handler.HandleAsync(MerchantContext.Of(http), id, body.Amount, http.RequestAborted))
            : Problems.Validation(f.Errors);
    }

    internal static async Task<ApiResponse> GetAsync(string id, HttpContext http, PaymentStore store, GerbangUrls urls)
    {
        var payment = await store.GetAsync(MerchantContext.Of(http), id, http.RequestAborted);
        return payment is null ? Problems.NotFound("payment") : ApiResponse.Ok(PaymentView.Of(payment, urls.Public));
    }

    internal static async Task<ApiResponse> AttemptsAsync(string id, HttpContext http, PaymentStore store)
    {
        var merchant = MerchantContext.Of(http);
        if (await store.GetAsync(merchant, id, http.RequestAborted) is null)
        {
            return Problems.NotFound("payment");
        }

        return ListQuery.Answer(await store.AttemptsAsync(merchant, id, http.RequestAborted), false, $"/v1/payments/{id}/attempts");
    }

    internal static async Task<ApiResponse> ListAsync(HttpContext http, PaymentStore store, GerbangUrls urls)
    {
        var query = ListQuery.Parse(http.Request, PaymentStore.ListFilters, out var problem);
        if (query is null)
        {
            return problem!;
        }

        var merchant = MerchantContext.Of(http);
        var (page, hasMore) = await store.ListAsync(merchant, query, http.RequestAborted);
        if (await store.MissingCursorAsync(merchant, query, page.Count, http.RequestAborted) is { } missing)
        {
            return missing.Answer();
        }

        return ListQuery.Answer(page.Select(p => PaymentView.Of(p, urls.Public)).ToList(), hasMore, "/v1/payments");
    }

    private static async Task<ApiResponse> QrAsync(string id, HttpContext http, PaymentStore store)
    {
        var payment = await store.GetAsync(MerchantContext.Of(http), id, http.RequestAborted);
        return payment is null ? Problems.NotFound("payment") : QrImage(payment);
    }

    /// <summary>The QRIS code of a payment as an SVG image (404 when it has none).</summary>
    public static ApiResponse QrImage(PaymentRow payment)
    {
        if (payment.InstructionsJson is null)
        {
            return Problems.NotFound("payment");
        }

        using var doc = JsonDocument.Parse(payment.InstructionsJson);
        if (!doc.RootElement.TryGetProperty("qr_string", out var qr) || qr.GetString() is not { Length: > 0 } qrString)
        {
            return Problems.Create(404, "qr_not_available", "This payment has no QR code.");
        }

        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(qrString, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(6);
        var response = new ApiResponse(200, System.Text.Encoding.UTF8.GetBytes(svg), "image/svg+xml");
        response.Headers["Cache-Control"] = "private, max-age=300";
        return response;
    }

    private static async Task<ApiResponse> TestHelperAsync(
        string id,
        HttpContext http,
        PaymentStore store,
        ProviderRegistry providers,
        GerbangUrls urls,
        Func<Providers.Testing.IProviderTestControl, string, long?, CancellationToken, Task<Providers.Testing.TestControlResult>> act)
    {
        var merchant = MerchantContext.Of(http);
        var payment = await store.GetAsync(merchant, id, http.RequestAborted);
        var control = payment is null ? null : providers.TestControl(merchant.Mode, payment.Provider);
        if (payment?.ProviderReference is null || control is null)
        {
            return Problems.NotFound("payment");
        }

        if (!RequestBody.TryParseObject(http, emptyAllowed: true, out var root, out var problem))
        {
            return problem!;
        }

        var fields = new Fields(root);
        if (CapturePaymentBody.Read(fields) is not { } body)
        {
            return Problems.Validation(fields.Errors);
        }

        var result = await act(control, payment.ProviderReference, body.Amount, http.RequestAborted);
        if (!result.Done)
        {
            return Problems.Create(409, "test_helper_refused", $"The simulator refused: {result.Error}");
        }

        var after = await store.GetAsync(merchant, id, http.RequestAborted);
        return ApiResponse.Ok(PaymentView.Of(after!, urls.Public));
    }
}

/// <summary>The body of a capture (and of a test payment): an amount, or all of it when left out.</summary>
public sealed record CapturePaymentBody
{
    [System.ComponentModel.Description("In the currency's smallest unit; all that is authorised (or due) when left out.")]
    [System.ComponentModel.DataAnnotations.Range(1, 9007199254740991)]
    public long? Amount { get; init; }

    /// <summary>Reads the body strictly; null when a field is wrong (the errors are in <paramref name="f"/>).</summary>
    public static CapturePaymentBody? Read(Fields f)
    {
        var amount = f.Amount("amount", required: false);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CapturePaymentBody { Amount = amount };
    }
}

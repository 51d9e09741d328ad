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
        payments.MapPost("/{id}/cancel", async (string id, MerchantContext merchant, CancelPaymentHandler handler, CancellationToken cancellationToken) => CancelPaymentOutcome.Answer(await handler.HandleAsync(merchant, id, cancellationToken)))
            .Doc("cancelPayment", "Cancel a payment", "Closes an unpaid payment at its provider (or releases a card authorisation).")
            .Returns<PaymentView>().NotFound().Fails(409, "payment_not_cancellable").Fails(502, "provider_error").Fails(503, "provider_unavailable").Fails(504, "provider_timeout");
        payments.MapPost("/{id}/capture", CaptureAsync)
            .Doc("capturePayment", "Capture a card authorisation", "Charges all of an authorised card payment, or less.")
            .Body(new CapturePaymentBody { Amount = 150000 }, optional: true).Returns<PaymentView>().NotFound()
            .Fails(400, "parameter_invalid_integer", "amount_too_small", "amount_too_large")
            .Fails(409, "payment_not_capturable", "capture_in_progress").Fails(422, "capture_exceeds_authorized")
            .Fails(502, "provider_error").Fails(503, "provider_unavailable").Fails(504, "provider_timeout");

        var helpers = v1.MapGroup("/test_helpers/payments").WithTags("test helpers");
        helpers.MapPost("/{id}/pay", (string id, Body<CapturePaymentBody> body, MerchantContext merchant, PaymentStore store, ProviderRegistry providers, GerbangUrls urls, CancellationToken cancellationToken) =>
            TestHelperAsync(id, body.Value, merchant, store, providers, urls, (c, reference, amount, ct) => c.PayAsync(reference, amount, ct), cancellationToken))
            .Doc("testPayPayment", "Pay a test payment", "The provider's simulator takes the customer's payment (of another amount when given) and notifies Gerbang as the provider would.")
            .Body(new CapturePaymentBody { Amount = 150000 }, optional: true).Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
        helpers.MapPost("/{id}/fail", (string id, Body<CapturePaymentBody> body, MerchantContext merchant, PaymentStore store, ProviderRegistry providers, GerbangUrls urls, CancellationToken cancellationToken) =>
            TestHelperAsync(id, body.Value, merchant, store, providers, urls, (c, reference, _, ct) => c.FailAsync(reference, ct), cancellationToken))
            .Doc("testFailPayment", "Fail a test payment", "The provider's simulator declines the payment and notifies Gerbang.")
            .Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
        helpers.MapPost("/{id}/expire", (string id, Body<CapturePaymentBody> body, MerchantContext merchant, PaymentStore store, ProviderRegistry providers, GerbangUrls urls, CancellationToken cancellationToken) =>
            TestHelperAsync(id, body.Value, merchant, store, providers, urls, (c, reference, _, ct) => c.ExpireAsync(reference, ct), cancellationToken))
            .Doc("testExpirePayment", "Expire a test payment", "The provider's simulator lets the payment expire and notifies Gerbang.")
            .Returns<PaymentView>().NotFound().Fails(409, "test_helper_refused");
    }

    private static async Task<ApiResponse> CreateAsync(Body<CreatePaymentRequest> body, MerchantContext merchant, HttpContext http, CreatePaymentHandler handler)
    {
        var answers = new Answers<CreatePaymentOutcome>(http, CreatePaymentOutcome.Answer);
        return answers.Answer(await handler.HandleAsync(merchant, body.Value, answers, http.RequestAborted));
    }

    internal static async Task<ApiResponse> CaptureAsync(string id, Body<CapturePaymentBody> body, MerchantContext merchant, CapturePaymentHandler handler, CancellationToken cancellationToken) =>
        CapturePaymentOutcome.Answer(await handler.HandleAsync(merchant, id, body.Value.Amount, cancellationToken));

    internal static async Task<Result<PaymentView>> GetAsync(string id, MerchantContext merchant, PaymentStore store, GerbangUrls urls, CancellationToken cancellationToken) =>
        await store.GetAsync(merchant, id, cancellationToken) is { } payment ? PaymentView.Of(payment, urls.Public) : Refusal.NotFound("payment");

    internal static async Task<Result<ListQuery.ListView<AttemptView>>> AttemptsAsync(string id, MerchantContext merchant, PaymentStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(merchant, id, cancellationToken) is null)
        {
            return Refusal.NotFound("payment");
        }

        return ListQuery.View(await store.AttemptsAsync(merchant, id, cancellationToken), false, $"/v1/payments/{id}/attempts");
    }

    internal static async Task<Result<ListQuery.ListView<PaymentView>>> ListAsync(ListRequest request, MerchantContext merchant, PaymentStore store, GerbangUrls urls, CancellationToken cancellationToken)
    {
        var query = request.Read(PaymentStore.ListFilters);
        if (!query.Ok)
        {
            return query.Refusal;
        }

        var (page, hasMore) = await store.ListAsync(merchant, query.Value, cancellationToken);
        if (await store.MissingCursorAsync(merchant, query.Value, page.Count, cancellationToken) is { } missing)
        {
            return missing;
        }

        return ListQuery.View(page.Select(p => PaymentView.Of(p, urls.Public)).ToList(), hasMore, "/v1/payments");
    }

    private static async Task<ApiResponse> QrAsync(string id, MerchantContext merchant, PaymentStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(merchant, id, cancellationToken) is { } payment ? QrImage(payment) : Problems.NotFound("payment");

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

    private static async Task<Result<PaymentView>> TestHelperAsync(
        string id,
        CapturePaymentBody body,
        MerchantContext merchant,
        PaymentStore store,
        ProviderRegistry providers,
        GerbangUrls urls,
        Func<Providers.Testing.IProviderTestControl, string, long?, CancellationToken, Task<Providers.Testing.TestControlResult>> act,
        CancellationToken cancellationToken)
    {
        var payment = await store.GetAsync(merchant, id, cancellationToken);
        var control = payment is null ? null : providers.TestControl(merchant.Mode, payment.Provider);
        if (payment?.ProviderReference is null || control is null)
        {
            return Refusal.NotFound("payment");
        }

        var result = await act(control, payment.ProviderReference, body.Amount, cancellationToken);
        if (!result.Done)
        {
            return new Refusal(409, "test_helper_refused", $"The simulator refused: {result.Error}");
        }

        var after = await store.GetAsync(merchant, id, cancellationToken);
        return PaymentView.Of(after!, urls.Public);
    }
}

/// <summary>The body of a capture (and of a test payment): an amount, or all of it when left out.</summary>
public sealed record CapturePaymentBody : IRequestBody<CapturePaymentBody>
{
    public static bool EmptyAllowed => true;

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

using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Npgsql;

namespace Gerbang.Api.Checkout;

/// <summary><c>/v1/checkout/sessions</c>: the merchant's server opens a hosted checkout for one order.</summary>
public static class CheckoutSessionEndpoints
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(30);

    public static void MapCheckoutSessions(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/checkout/sessions").WithTags("checkout sessions");
        group.MapPost("", CreateAsync).Doc("createCheckoutSession", "Create a checkout session", "A hosted page (its url) where the customer picks a method and pays; the customer returns to success_url or cancel_url.")
            .Body(new CreateCheckoutSessionBody
            {
                Amount = 150000,
                Currency = "IDR",
                OrderId = "ORDER-1002",
                Description = "Two shirts",
                SuccessUrl = "https://shop.example/orders/1002/thanks",
                CancelUrl = "https://shop.example/cart",
                Methods = ["qris", "va"],
                ExpiresIn = 3600,
            }).Returns<CheckoutSession.View>(201)
            .Fails(400, "currency_invalid", "url_invalid", "parameter_invalid_integer", "amount_too_small", "amount_too_large", "parameter_out_of_range", "parameter_invalid_length");
        group.MapGet("/{id}", GetAsync).Doc("getCheckoutSession", "Get a checkout session").Returns<CheckoutSession.View>().NotFound();
    }

    internal static async Task<Result<CheckoutSession.View>> CreateAsync(
        Body<CreateCheckoutSessionBody> body, MerchantContext merchant, AnswerKeeping keeping, NpgsqlDataSource db, GerbangUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var now = clock.GetUtcNow();
        var session = new CheckoutSession(
            Ids.New("cs"), merchant.MerchantId, merchant.ModeWire, request.Amount, request.Currency, request.OrderId, request.Description, [.. request.Methods!],
            request.SuccessUrl, request.CancelUrl, null, now + (request.ExpiresIn is { } s ? TimeSpan.FromSeconds(s) : DefaultLifetime), now);
        await using var batch = db.CreateBatch();
        var cmd = new NpgsqlBatchCommand($"insert into checkout_sessions ({CheckoutSession.Columns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
        foreach (var v in new object?[] { session.Id, session.MerchantId, session.Mode, session.Amount, session.Currency, session.OrderId, session.Description, session.Methods, session.SuccessUrl, session.CancelUrl, null, session.ExpiresAt, session.CreatedAt })
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(cmd);
        var answer = keeping.Keep(batch, Result<CheckoutSession.View>.Created(session.ToView("open", urls.Public)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return answer;
    }

    internal static async Task<Result<CheckoutSession.View>> GetAsync(
        string id, MerchantContext merchant, NpgsqlDataSource db, PaymentStore payments, GerbangUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        var session = await CheckoutSession.FindAsync(db, id, merchant.MerchantId, cancellationToken);
        if (session is null || session.Mode != merchant.ModeWire)
        {
            return Refusal.NotFound("checkout session");
        }

        var payment = session.PaymentId is null ? null : await payments.GetAsync(session.Merchant, session.PaymentId, cancellationToken);
        return session.ToView(session.StatusFor(payment?.Status, clock.GetUtcNow()), urls.Public);
    }
}

/// <summary>The body of <c>POST /v1/checkout/sessions</c>.</summary>
public sealed record CreateCheckoutSessionBody : IRequestBody<CreateCheckoutSessionBody>
{
    [System.ComponentModel.DataAnnotations.Range(1, 9007199254740991)]
    public required long Amount { get; init; }

    [ApiValues(typeof(Gerbang.Domain.Currency), nameof(Gerbang.Domain.Currency.Codes))]
    public required string Currency { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(64, MinimumLength = 1)]
    public required string OrderId { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(500)]
    public string? Description { get; init; }

    [System.ComponentModel.Description("Where the customer goes after paying (https in live mode).")]
    [System.ComponentModel.DataAnnotations.StringLength(2000)]
    public required string SuccessUrl { get; init; }

    [System.ComponentModel.Description("Where the customer goes on giving up (https in live mode).")]
    [System.ComponentModel.DataAnnotations.StringLength(2000)]
    public required string CancelUrl { get; init; }

    [System.ComponentModel.Description("The methods the page offers: qris and va (both when left out).")]
    public IReadOnlyList<string>? Methods { get; init; }

    [System.ComponentModel.Description("Seconds the page stays open (60 to 86400).")]
    [System.ComponentModel.DataAnnotations.Range(60, 86400)]
    public long? ExpiresIn { get; init; }

    /// <summary>Reads the body strictly; the return pages must be https in live mode.</summary>
    public static CreateCheckoutSessionBody? Read(Fields f)
    {
        var amount = f.Amount("amount", required: true);
        var currencyText = f.String("currency", required: true, maxLength: 3);
        var orderId = f.String("order_id", required: true, maxLength: 64);
        var description = f.String("description", required: false, maxLength: 500);
        var successUrl = f.Url("success_url", f.Live);
        var cancelUrl = f.Url("cancel_url", f.Live);
        var expiresIn = f.Integer("expires_in", 60, 86_400);
        var methods = new List<string>();
        if (f.Element("methods", System.Text.Json.JsonValueKind.Array) is { } list)
        {
            foreach (var m in list.EnumerateArray())
            {
                if (m.ValueKind != System.Text.Json.JsonValueKind.String || m.GetString() is not ("qris" or "va"))
                {
                    f.Add("methods", "parameter_invalid", "methods lists payment methods the hosted page offers: \"qris\" and \"va\".");
                    break;
                }

                if (!methods.Contains(m.GetString()!))
                {
                    methods.Add(m.GetString()!);
                }
            }

            if (methods.Count == 0 && !f.Errors.Any(e => e.Param == "methods"))
            {
                f.Add("methods", "parameter_invalid", "methods must not be empty.");
            }
        }
        else if (!f.Has("methods"))
        {
            methods.AddRange(["qris", "va"]);
        }

        if (currencyText is not null && !Gerbang.Domain.Currency.TryParse(currencyText, out _))
        {
            f.Add("currency", "currency_invalid", "currency must be an upper-case ISO 4217 code Gerbang supports.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateCheckoutSessionBody
        {
            Amount = amount!.Value,
            Currency = Gerbang.Domain.Currency.Parse(currencyText!).Code,
            OrderId = orderId!,
            Description = description,
            SuccessUrl = successUrl!,
            CancelUrl = cancelUrl!,
            Methods = methods,
            ExpiresIn = expiresIn,
        };
    }
}

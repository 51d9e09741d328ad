using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Http;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Simulator;

/// <summary>
/// The generic <c>simulator</c> provider: every method, spoken over HTTP to the simulator API exactly
/// as an adapter speaks to a real provider.
/// </summary>
public sealed class SimulatorProvider(HttpClient http, IOptions<SimulatorProviderOptions> options, TimeProvider timeProvider) : IPaymentProvider
{
    public const string ProviderName = "simulator";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.WebhookSecret);

    public string Name => ProviderName;

    /// <summary>The simulator takes every method and bank at any amount, so tests can reach every path.</summary>
    public IReadOnlyList<ProviderCapability> Capabilities { get; } =
    [
        new(PaymentMethod.Va, null, Currency.Idr, 1, long.MaxValue),
        new(PaymentMethod.Qris, null, Currency.Idr, 1, long.MaxValue),
        new(PaymentMethod.Card, null, Currency.Idr, 1, long.MaxValue),
        new(PaymentMethod.Upi, null, Currency.Parse("INR"), 1, long.MaxValue),
    ];

    public Task<ProviderResult<ProviderPayment>> CreatePaymentAsync(ProviderPaymentRequest request, CancellationToken cancellationToken)
    {
        var body = new CreatePaymentBody(
            request.AttemptId,
            request.Amount.Amount,
            request.Amount.Currency.Code,
            request.Method.ToWire(),
            request.Bank,
            request.OrderId,
            request.Description,
            request.ExpiresAt,
            request.NotificationUrl,
            request.Method == PaymentMethod.Card ? request.Capture.ToWire() : null,
            request.ReturnUrl,
            request.Method == PaymentMethod.Upi ? request.Vpa : null);
        return ProviderHttp.SendAsync(http, Post("v1/payments", body), async response =>
        {
            if (!response.IsSuccessStatusCode)
            {
                return ProviderHttp.Declined("provider_declined", $"The simulator refused the payment ({(int)response.StatusCode}).");
            }

            var p = await response.Content.ReadFromJsonAsync<PaymentBody>(Json, cancellationToken);
            if (p is null)
            {
                return ProviderHttp.Declined("provider_bad_response", "The simulator answered with no payment.");
            }

            var instructions = request.Method switch
            {
                PaymentMethod.Va => PaymentInstructions.Va(p.Bank ?? request.Bank ?? "", p.VaNumber ?? ""),
                PaymentMethod.Card => PaymentInstructions.Redirect(p.RedirectUrl ?? ""),
                PaymentMethod.Upi => PaymentInstructions.Upi(p.Vpa ?? request.Vpa ?? ""),
                _ => PaymentInstructions.Qris(p.QrString ?? ""),
            };
            return ProviderResult<ProviderPayment>.Ok(new ProviderPayment(p.Id, instructions, p.ExpiresAt, MapStatus(p.Status)));
        }, cancellationToken);
    }

    public Task<ProviderResult<ProviderPaymentState>> GetPaymentStatusAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, $"v1/payments/{Uri.EscapeDataString(providerReference)}"), r => ReadState(r, cancellationToken), cancellationToken);

    public Task<ProviderResult<ProviderPaymentState>> CancelPaymentAsync(string attemptId, string providerReference, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(http, new HttpRequestMessage(HttpMethod.Post, $"v1/payments/{Uri.EscapeDataString(providerReference)}/cancel"), r => ReadState(r, cancellationToken), cancellationToken);

    public Task<ProviderResult<ProviderPaymentState>> CapturePaymentAsync(string attemptId, string providerReference, Money amount, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(http, Post($"v1/payments/{Uri.EscapeDataString(providerReference)}/capture", new CaptureBody(amount.Amount)), r => ReadState(r, cancellationToken), cancellationToken);

    public Task<ProviderResult<ProviderRefund>> RefundAsync(ProviderRefundRequest request, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(http, Post("v1/refunds", new RefundBody(request.RefundId, request.ProviderReference, request.Amount.Amount)), async response =>
        {
            if (!response.IsSuccessStatusCode)
            {
                return ProviderHttp.Declined("refund_declined", "The simulator refused the refund.");
            }

            var op = await response.Content.ReadFromJsonAsync<OperationBody>(Json, cancellationToken);
            return ProviderResult<ProviderRefund>.Ok(new ProviderRefund(op!.Id, MapOperation(op.Status)));
        }, cancellationToken);

    public IReadOnlyCollection<string> PayoutBanks => PaymentMethods.AccountBanks;

    public Task<ProviderResult<ProviderPayout>> PayoutAsync(ProviderPayoutRequest request, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(
            http,
            Post("v1/payouts", new PayoutBody(request.DisbursementId, request.Amount.Amount, request.Amount.Currency.Code, request.BankCode, request.AccountNumber, request.AccountHolderName, request.NotificationUrl)),
            async response =>
            {
                if (!response.IsSuccessStatusCode)
                {
                    return ProviderHttp.Declined("payout_declined", "The simulator refused the payout.");
                }

                var op = await response.Content.ReadFromJsonAsync<OperationBody>(Json, cancellationToken);
                return ProviderResult<ProviderPayout>.Ok(new ProviderPayout(op!.Id, MapOperation(op.Status)));
            },
            cancellationToken);

    public Task<ProviderResult<ProviderPayout>> GetPayoutStatusAsync(string disbursementId, string providerReference, CancellationToken cancellationToken) =>
        ProviderHttp.SendAsync(
            http,
            new HttpRequestMessage(HttpMethod.Get, $"v1/payouts/{Uri.EscapeDataString(providerReference)}"),
            async response =>
            {
                if (!response.IsSuccessStatusCode)
                {
                    return ProviderHttp.Declined("payout_status_unknown", $"The simulator answered {(int)response.StatusCode}.");
                }

                var op = await response.Content.ReadFromJsonAsync<OperationBody>(Json, cancellationToken);
                return ProviderResult<ProviderPayout>.Ok(new ProviderPayout(op!.Id, MapOperation(op.Status)));
            },
            cancellationToken);

    public WebhookVerification VerifyWebhook(InboundWebhook webhook)
    {
        if (!SimulatorSignature.Verify(webhook.Header(SimulatorSignature.Header), webhook.Body.Span, _secret, timeProvider.GetUtcNow(), options.Value.Tolerance, out var reason))
        {
            return WebhookVerification.Reject(reason);
        }

        NotificationBody? n;
        try
        {
            n = JsonSerializer.Deserialize<NotificationBody>(webhook.Body.Span, Json);
        }
        catch (JsonException)
        {
            return WebhookVerification.Reject("unreadable body");
        }

        if (n?.Data is null || !Currency.TryParse(n.Data.Currency, out var currency))
        {
            return WebhookVerification.Reject("incomplete body");
        }

        if (n.Data.Object == "payout")
        {
            return WebhookVerification.Accept(new ProviderNotification(
                n.Id, NotificationSubject.Payout, n.Data.Reference, n.Data.Id, null, MapOperation(n.Data.Status), new Money(n.Data.Amount, currency), n.Data.Status));
        }

        var status = MapStatus(n.Data.Status);
        Money? amount = status == PaymentStatus.Paid ? new Money(n.Data.PaidAmount, currency) : null;

        // refund.* announces a refund on a paid payment (the simulator's running total in refunded_amount): never money in.
        var isRefund = n.Type.StartsWith("refund.", StringComparison.Ordinal);
        return WebhookVerification.Accept(new ProviderNotification(
            n.Id, isRefund ? NotificationSubject.Refund : NotificationSubject.Payment, n.Data.Reference, n.Data.Id, status, null, amount, n.Data.Status)
        {
            Refunded = isRefund ? new Money(n.Data.RefundedAmount, currency) : null,
        });
    }

    private static async Task<ProviderResult<ProviderPaymentState>> ReadState(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return ProviderHttp.Declined("provider_unknown_payment", "The simulator does not know the payment.");
        }

        if (!response.IsSuccessStatusCode)
        {
            return ProviderHttp.Declined("provider_refused", $"The simulator refused ({(int)response.StatusCode}).");
        }

        var p = await response.Content.ReadFromJsonAsync<PaymentBody>(Json, cancellationToken);
        if (!Currency.TryParse(p!.Currency, out var c))
        {
            return ProviderHttp.Declined("provider_bad_response", "The simulator answered an unknown currency.");
        }

        Money? paid = p.PaidAmount > 0 ? new Money(p.PaidAmount, c) : null;
        return ProviderResult<ProviderPaymentState>.Ok(new ProviderPaymentState(p.Id, MapStatus(p.Status), paid, p.Status)
        {
            RefundedAmount = p.RefundedAmount > 0 ? new Money(p.RefundedAmount, c) : null,
        });
    }

    private static HttpRequestMessage Post<TBody>(string path, TBody body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, options: Json),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static PaymentStatus MapStatus(string status) => status switch
    {
        "paid" => PaymentStatus.Paid,
        "requires_capture" => PaymentStatus.RequiresCapture,
        "failed" => PaymentStatus.Failed,
        "expired" => PaymentStatus.Expired,
        "cancelled" => PaymentStatus.Cancelled,
        _ => PaymentStatus.Pending,
    };

    private static ProviderOperationStatus MapOperation(string status) => status switch
    {
        "succeeded" => ProviderOperationStatus.Succeeded,
        "failed" => ProviderOperationStatus.Failed,
        _ => ProviderOperationStatus.Pending,
    };
}

using System.Collections.Concurrent;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Simulator;
using Gerbang.Simulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gerbang.Providers.Tests;

/// <summary>
/// The simulator adapter against the simulator running as its own HTTP server, as it runs standalone:
/// every operation of the provider contract, and the notifications it sends verified by the adapter.
/// </summary>
public sealed class SimulatorProviderTests : IAsyncLifetime
{
    private const string ApiKey = "simk_provider_tests";
    private const string Secret = "sims_provider_tests";
    private WebApplication _app = null!;
    private SimulatorProvider _provider = null!;
    private SimulatorTestControl _control = null!;
    private HttpClient _http = null!;
    private string _base = "";

    public ConcurrentQueue<InboundWebhook> Notifications { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulators:Generic:ApiKey"] = ApiKey,
            ["Simulators:Generic:WebhookSecret"] = Secret,
        });
        builder.Services.AddSimulators(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        _app = builder.Build();
        _app.MapSimulators("/");
        _app.MapPost("/receiver", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            Notifications.Enqueue(new InboundWebhook("/receiver", context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()), buffer.ToArray()));
            return Results.Ok();
        });
        await _app.StartAsync();
        _base = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(_base + "/simulator/") };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        _provider = new SimulatorProvider(_http, Options.Create(new SimulatorProviderOptions { ApiKey = ApiKey, WebhookSecret = Secret }), TimeProvider.System);
        _control = new SimulatorTestControl(_http);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private ProviderPaymentRequest Request(PaymentMethod method, string? bank = "bca") => new(
        Ids.New(Ids.Attempt), Ids.New(Ids.Payment), new Money(150_000, Currency.Idr), method, bank, "ORDER-1", null, "Sari", null,
        DateTimeOffset.UtcNow.AddHours(1), new Uri(_base + "/receiver"));

    [Fact]
    public async Task A_VA_is_issued_paid_and_reported_in_a_notification_the_adapter_verifies()
    {
        var request = Request(PaymentMethod.Va);
        var created = await _provider.CreatePaymentAsync(request, CancellationToken.None);
        Assert.True(created.IsSuccess);
        Assert.Equal("va", created.Value!.Instructions.Type);
        Assert.StartsWith("39011", created.Value.Instructions.VaNumber);

        var again = await _provider.CreatePaymentAsync(request, CancellationToken.None);
        Assert.Equal(created.Value.ProviderReference, again.Value!.ProviderReference);

        Assert.True((await _control.PayAsync(created.Value.ProviderReference, null, CancellationToken.None)).Done);
        var notification = Assert.Single(Notifications);
        var verified = _provider.VerifyWebhook(notification);
        Assert.True(verified.IsAuthentic, verified.RejectionReason);
        Assert.Equal(PaymentStatus.Paid, verified.Notification!.PaymentStatus);
        Assert.Equal(request.AttemptId, verified.Notification.OurReference);
        Assert.Equal(new Money(150_000, Currency.Idr), verified.Notification.Amount);

        var status = await _provider.GetPaymentStatusAsync(request.AttemptId, created.Value.ProviderReference, CancellationToken.None);
        Assert.Equal(PaymentStatus.Paid, status.Value!.Status);

        var refund = await _provider.RefundAsync(new ProviderRefundRequest(Ids.New(Ids.Refund), request.AttemptId, created.Value.ProviderReference, new Money(50_000, Currency.Idr), null), CancellationToken.None);
        Assert.Equal(ProviderOperationStatus.Succeeded, refund.Value!.Status);
        var tooMuch = await _provider.RefundAsync(new ProviderRefundRequest(Ids.New(Ids.Refund), request.AttemptId, created.Value.ProviderReference, new Money(500_000, Currency.Idr), null), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Declined, tooMuch.Failure!.Kind);
    }

    [Fact]
    public async Task A_UPI_collect_request_goes_to_the_customers_address_and_is_paid_in_INR()
    {
        var inr = Currency.Parse("INR");
        var request = Request(PaymentMethod.Upi, null) with { Amount = new Money(250_000, inr) };
        var created = await _provider.CreatePaymentAsync(request with { Vpa = "sari.k@okaxis" }, CancellationToken.None);
        Assert.True(created.IsSuccess);
        Assert.Equal(("upi", "sari.k@okaxis"), (created.Value!.Instructions.Type, created.Value.Instructions.Vpa));

        Assert.True((await _control.PayAsync(created.Value.ProviderReference, null, CancellationToken.None)).Done);
        var verified = _provider.VerifyWebhook(Assert.Single(Notifications));
        Assert.Equal(PaymentStatus.Paid, verified.Notification!.PaymentStatus);
        Assert.Equal(new Money(250_000, inr), verified.Notification.Amount);

        var noAddress = await _provider.CreatePaymentAsync(Request(PaymentMethod.Upi, null) with { Amount = new Money(250_000, inr) }, CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Declined, noAddress.Failure!.Kind);
        var rupiah = await _provider.CreatePaymentAsync(Request(PaymentMethod.Upi, null) with { Vpa = "sari@okaxis" }, CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Declined, rupiah.Failure!.Kind);
    }

    [Fact]
    public async Task A_QRIS_payment_can_be_cancelled_and_then_no_longer_paid_by_status()
    {
        var created = await _provider.CreatePaymentAsync(Request(PaymentMethod.Qris, null), CancellationToken.None);
        Assert.StartsWith("000201", created.Value!.Instructions.QrString);
        var cancelled = await _provider.CancelPaymentAsync("att", created.Value.ProviderReference, CancellationToken.None);
        Assert.Equal(PaymentStatus.Cancelled, cancelled.Value!.Status);
        var unknown = await _provider.GetPaymentStatusAsync("att", "simpay_nope", CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Declined, unknown.Failure!.Kind);
    }

    [Fact]
    public async Task A_payout_is_idempotent_on_its_reference_and_its_outcome_is_notified()
    {
        var payout = new ProviderPayoutRequest(Ids.New(Ids.Disbursement), new Money(75_000, Currency.Idr), "bca", "1234567890", "Sari", null, new Uri(_base + "/receiver"));
        var first = await _provider.PayoutAsync(payout, CancellationToken.None);
        var second = await _provider.PayoutAsync(payout, CancellationToken.None);
        Assert.Equal(first.Value!.ProviderReference, second.Value!.ProviderReference);
        Assert.Equal(ProviderOperationStatus.Pending, first.Value.Status);

        Assert.True((await _control.CompletePayoutAsync(first.Value.ProviderReference, succeed: true, CancellationToken.None)).Done);
        var verified = _provider.VerifyWebhook(Assert.Single(Notifications));
        Assert.Equal(NotificationSubject.Payout, verified.Notification!.Subject);
        Assert.Equal(ProviderOperationStatus.Succeeded, verified.Notification.OperationStatus);
        Assert.Equal(payout.DisbursementId, verified.Notification.OurReference);
    }

    [Fact]
    public async Task Outages_are_told_apart_from_declines()
    {
        var knobs = _app.Services.GetRequiredService<Gerbang.Simulators.Generic.GenericSimulatorState>().Knobs;
        knobs.Down = true;
        try
        {
            var down = await _provider.CreatePaymentAsync(Request(PaymentMethod.Va), CancellationToken.None);
            Assert.Equal(ProviderFailureKind.ServerError, down.Failure!.Kind);
            Assert.True(down.Failure.IsRetryable);
        }
        finally
        {
            knobs.Reset();
        }

        using var unreachable = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") };
        var refused = await new SimulatorProvider(unreachable, Options.Create(new SimulatorProviderOptions { ApiKey = ApiKey, WebhookSecret = Secret }), TimeProvider.System)
            .CreatePaymentAsync(Request(PaymentMethod.Va), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.ConnectionFailed, refused.Failure!.Kind);
        Assert.False(refused.Failure.OutcomeUnknown);

        using var badKey = new HttpClient { BaseAddress = _http.BaseAddress };
        badKey.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        var declined = await new SimulatorProvider(badKey, Options.Create(new SimulatorProviderOptions { ApiKey = "wrong", WebhookSecret = Secret }), TimeProvider.System)
            .CreatePaymentAsync(Request(PaymentMethod.Va), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Declined, declined.Failure!.Kind);
    }
}

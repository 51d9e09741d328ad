using System.Net;
using System.Text;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Providers.Stripe;
using Gerbang.Simulators.Stripe;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The Stripe adapter against the Stripe simulator over real HTTP, through the public API.</summary>
public sealed class StripeTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private StripeSimulatorState Stripe => gerbang.App.Services.GetRequiredService<StripeSimulatorState>();

    private Task<long> LedgerEntries(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    private async Task<(string Id, StripeSession Session)> CreateAsync(TestMerchant merchant, string orderId, long amount, string capture, string? returnUrl = null)
    {
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new
        {
            amount,
            currency = "IDR",
            method = "card",
            capture_method = capture,
            provider = "stripe",
            order_id = orderId,
            return_url = returnUrl,
        });
        Assert.True(status == 201, payment.ToString());
        Assert.Equal("stripe", payment.Str("provider"));
        Assert.StartsWith("cs_test_", payment.Str("provider_reference"));
        var session = Stripe.Sessions[payment.Str("provider_reference")];
        Assert.Equal(payment.GetProperty("payment_instructions").Str("url"), session.Url);
        return (payment.Str("id"), session);
    }

    [Fact]
    public async Task A_manual_capture_is_authorised_on_Stripes_page_captured_in_part_credited_once_and_refunded()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (id, session) = await CreateAsync(merchant, "ORDER-ST-MANUAL", 150_000, "manual");
        Assert.Equal(15_000_000, session.Amount); // IDR in hundredths
        Assert.Equal("idr", session.Currency);
        Assert.Equal("manual", session.CaptureMethod);
        var (_, attempts) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}/attempts");
        Assert.Equal(attempts.GetProperty("data")[0].Str("id"), session.ClientReferenceId);

        var (_, authorised, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("requires_capture", authorised.Str("status"));
        Assert.Equal(0, await LedgerEntries(id));

        var (captured, paid, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 100_000 });
        Assert.True(captured == 200, paid.ToString());
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(100_000, paid.Long("amount_captured"));
        var intent = Stripe.Intents[session.PaymentIntentId!];
        Assert.Equal(10_000_000, intent.AmountReceived);
        Assert.Equal(1, await LedgerEntries(id)); // Stripe's payment_intent.succeeded and the capture answer are one capture
        Assert.Equal(100_000 - paid.Long("fee"), (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
        Assert.Contains(Stripe.Sent, e => e.Contains("payment_intent.succeeded", StringComparison.Ordinal) && e.Contains(intent.Id, StringComparison.Ordinal));

        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 40_000 });
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");
        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/refunds/{refund.Str("id")}")).Body.Str("status"));
        Assert.Equal(4_000_000, intent.AmountRefunded);
    }

    [Fact]
    public async Task An_automatic_capture_is_charged_when_the_customer_enters_a_card_and_is_sent_back_to_the_shop()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (id, session) = await CreateAsync(merchant, "ORDER-ST-AUTO", 80_000, "automatic", "https://shop.example/thanks");
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.Contains("card_number", await browser.GetStringAsync(session.Url), StringComparison.Ordinal);

        using var declined = await browser.PostAsync(session.Url, new FormUrlEncodedContent(new Dictionary<string, string> { ["card_number"] = "4000 0000 0000 0002" }));
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        Assert.Equal("failed", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));

        // A declined card fails the payment (providers.md §7); a fresh payment for the order is paid.
        var (retryId, retry) = await CreateAsync(merchant, "ORDER-ST-AUTO", 80_000, "automatic", "https://shop.example/thanks");
        using var accepted = await browser.PostAsync(retry.Url, new FormUrlEncodedContent(new Dictionary<string, string> { ["card_number"] = "4242 4242 4242 4242" }));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("https://shop.example/thanks", accepted.Headers.Location!.ToString());
        var (_, paid) = await merchant.Client.GetJsonAsync($"/v1/payments/{retryId}");
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(80_000, paid.Long("amount_captured"));
        Assert.Equal(1, await LedgerEntries(retryId));
    }

    [Fact]
    public async Task An_open_session_is_cancelled_an_authorisation_is_voided_and_an_unpaid_session_expires()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (open, openSession) = await CreateAsync(merchant, "ORDER-ST-CANCEL", 50_000, "manual");
        var (status, cancelled, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{open}/cancel", null);
        Assert.True(status == 200, cancelled.ToString());
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal("expired", openSession.Status);

        var (held, heldSession) = await CreateAsync(merchant, "ORDER-ST-VOID", 50_000, "manual");
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{held}/pay", null);
        var (voidStatus, voided, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{held}/cancel", null);
        Assert.True(voidStatus == 200, voided.ToString());
        Assert.Equal("cancelled", voided.Str("status"));
        Assert.Equal("canceled", Stripe.Intents[heldSession.PaymentIntentId!].Status);
        Assert.Equal(0, await LedgerEntries(held));

        var (lapsing, _) = await CreateAsync(merchant, "ORDER-ST-EXPIRE", 50_000, "automatic");
        Assert.Equal("expired", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{lapsing}/expire", null)).Body.Str("status"));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{lapsing}/capture", null)).Status);
    }

    [Fact]
    public async Task A_webhook_with_a_bad_or_stale_signature_is_refused_and_changes_nothing()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (id, session) = await CreateAsync(merchant, "ORDER-ST-FORGED", 50_000, "automatic");
        var secret = gerbang.App.Services.GetRequiredService<IOptions<StripeOptions>>().Value.WebhookSecret;
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = "evt_forged",
            ["object"] = "event",
            ["type"] = "payment_intent.succeeded",
            ["data"] = new System.Text.Json.Nodes.JsonObject
            {
                ["object"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["id"] = "pi_forged",
                    ["object"] = "payment_intent",
                    ["amount_received"] = 5_000_000,
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["gerbang_attempt"] = session.ClientReferenceId },
                },
            },
        }.ToJsonString();
        var now = gerbang.Clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var header in new[] { null, StripeSignature.Header("whsec_wrong", now, Encoding.UTF8.GetBytes(body)), StripeSignature.Header(secret, now - 301, Encoding.UTF8.GetBytes(body)), StripeSignature.Header(secret, now + 301, Encoding.UTF8.GetBytes(body)) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation("Stripe-Signature", header);
            }

            Assert.Equal(401, (int)(await gerbang.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));

        // Correctly signed, but Stripe's own status query says nothing was charged: flagged, not credited.
        using var signed = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        signed.Headers.TryAddWithoutValidation("Stripe-Signature", StripeSignature.Header(secret, now, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(200, (int)(await gerbang.Http.SendAsync(signed)).StatusCode);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(0, await LedgerEntries(id));
    }

    [Fact]
    public async Task The_session_is_created_once_per_attempt_whatever_the_retries()
    {
        var provider = gerbang.App.Services.GetRequiredService<Gerbang.Api.ProviderSetup.ProviderRegistry>().Find(Gerbang.Domain.Mode.Test, "stripe")!;
        var request = new Gerbang.Domain.Providers.ProviderPaymentRequest(
            "att_stripe_retry", "pay_stripe_retry", new Gerbang.Domain.Money(25_000, Gerbang.Domain.Currency.Idr), Gerbang.Domain.Payments.PaymentMethod.Card, null, "ORDER-ST-RETRY", null, null, null,
            gerbang.Clock.GetUtcNow().AddHours(1), new Uri(gerbang.BaseUrl + "/webhooks/stripe"))
        { Capture = Gerbang.Domain.Payments.CaptureMethod.Manual };
        var before = Stripe.SessionCreates;
        var first = await provider.CreatePaymentAsync(request, CancellationToken.None);
        var second = await provider.CreatePaymentAsync(request, CancellationToken.None);
        Assert.Equal(first.Value!.ProviderReference, second.Value!.ProviderReference);
        Assert.Equal(before + 1, Stripe.SessionCreates);

        // A checkout page must live 30 minutes to 24 hours at Stripe: a shorter life is lengthened.
        var shortLived = await provider.CreatePaymentAsync(request with { AttemptId = "att_stripe_short", ExpiresAt = gerbang.Clock.GetUtcNow().AddMinutes(5) }, CancellationToken.None);
        Assert.True(shortLived.Value!.ExpiresAt >= gerbang.Clock.GetUtcNow().AddMinutes(30));
    }
}

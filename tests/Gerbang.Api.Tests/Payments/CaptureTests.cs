using System.Net;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Payments;

/// <summary>Card payments with manual capture on the simulator provider: authorise, capture (wholly or partly) or void.</summary>
public sealed class CaptureTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private Task<long> PaidEntries(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    private static async Task<long> AvailableAsync(TestMerchant merchant) =>
        (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount");

    private async Task<string> AuthorisedAsync(TestMerchant merchant, string orderId, long amount = 100_000)
    {
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment(orderId, amount, provider: "simulator"));
        Assert.Equal(201, status);
        var id = payment.Str("id");
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null)).Status);
        Assert.Equal("requires_capture", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        return id;
    }

    [Fact]
    public async Task A_card_authorised_for_100000_and_captured_for_60000_is_paid_60000_once_and_refundable_up_to_60000()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (created, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-CARD-1", 100_000, provider: "simulator"));
        Assert.Equal(201, created);
        Assert.Equal("pending", payment.Str("status"));
        Assert.Equal("manual", payment.Str("capture_method"));
        var instructions = payment.GetProperty("payment_instructions");
        Assert.Equal("redirect", instructions.Str("type"));
        Assert.Contains("/pay/", instructions.Str("url"), StringComparison.Ordinal);
        var id = payment.Str("id");

        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null)).Status);
        var (_, authorised) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal("requires_capture", authorised.Str("status"));
        Assert.Equal(0, authorised.Long("amount_captured"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.requires_capture'", id));
        Assert.Equal(0, await PaidEntries(id));
        var before = await AvailableAsync(merchant);

        var (captured, paid, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 60_000 });
        Assert.Equal(200, captured);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(60_000, paid.Long("amount_captured"));
        var fee = paid.Long("fee");
        Assert.Equal(2000 + 1740, fee); // 2.9% of 60,000 plus Rp2,000
        Assert.Equal(60_000 - fee, paid.Long("net"));
        Assert.Equal(before + 60_000 - fee, await AvailableAsync(merchant));

        // The simulator announces the capture too; that report is the same money and changes nothing.
        bool Announced() => gerbang.Notifier.Sent.Any(n => n.Body.Contains(paid.Str("provider_reference"), StringComparison.Ordinal) && n.Body.Contains("payment.paid", StringComparison.Ordinal));
        for (var i = 0; i < 50 && !Announced(); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(gerbang.Notifier.Sent, n => n.Body.Contains(paid.Str("provider_reference"), StringComparison.Ordinal) && n.Body.Contains("payment.paid", StringComparison.Ordinal) && n.ReceiverStatus == 200);
        Assert.Equal(1, await PaidEntries(id));
        var (_, after) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal(60_000, after.Long("amount_captured"));
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.paid'", id));

        var (again, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 10_000 });
        Assert.Equal(409, again);
        Assert.Equal("payment_not_capturable", problem.Str("code"));

        var (tooMuch, refundProblem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 60_001 });
        Assert.Equal(422, tooMuch);
        Assert.Equal("refund_exceeds_payment", refundProblem.Str("code"));
        var (refunded, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 50_000 });
        Assert.Equal(201, refunded);
        Assert.Equal(50_000, refund.Long("amount"));
    }

    [Fact]
    public async Task A_capture_without_an_amount_takes_everything_and_more_than_authorised_is_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var id = await AuthorisedAsync(merchant, "ORDER-CARD-FULL", 75_000);
        var (over, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 75_001 });
        Assert.Equal(422, over);
        Assert.Equal("capture_exceeds_authorized", problem.Str("code"));
        Assert.Equal(400, (await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 0 })).Status);
        Assert.Equal(400, (await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 10, extra = true })).Status);
        Assert.Equal("requires_capture", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));

        var (status, paid, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", null);
        Assert.Equal(200, status);
        Assert.Equal(75_000, paid.Long("amount_captured"));
        Assert.Equal(1, await PaidEntries(id));
    }

    [Fact]
    public async Task Voiding_an_authorisation_cancels_it_at_the_provider_and_credits_nothing()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var id = await AuthorisedAsync(merchant, "ORDER-CARD-VOID");
        var (status, voided, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/cancel", null);
        Assert.Equal(200, status);
        Assert.Equal("cancelled", voided.Str("status"));
        Assert.Equal("cancelled", gerbang.Simulator.Payments[voided.Str("provider_reference")].Status);
        Assert.Equal(0, await PaidEntries(id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.cancelled'", id));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", null)).Status);
    }

    [Fact]
    public async Task Only_manual_card_payments_waiting_for_capture_can_be_captured()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, va, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-CARD-NOT-VA"));
        var (vaStatus, vaProblem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{va.Str("id")}/capture", null);
        Assert.Equal(409, vaStatus);
        Assert.Equal("payment_not_capturable", vaProblem.Str("code"));

        var (_, pending, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-CARD-NOT-YET", provider: "simulator"));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{pending.Str("id")}/capture", null)).Status);

        // Automatic capture: the authorisation is the charge, for the whole amount.
        var (_, automatic, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-CARD-AUTO", 50_000, "automatic", "simulator"));
        Assert.Equal("automatic", automatic.Str("capture_method"));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{automatic.Str("id")}/pay", null);
        var (_, charged) = await merchant.Client.GetJsonAsync($"/v1/payments/{automatic.Str("id")}");
        Assert.Equal("paid", charged.Str("status"));
        Assert.Equal(50_000, charged.Long("amount_captured"));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{automatic.Str("id")}/capture", null)).Status);
        Assert.Equal(404, (await merchant.Client.PostJsonAsync("/v1/payments/pay_missing/capture", null)).Status);
    }

    [Fact]
    public async Task Concurrent_captures_of_one_authorisation_take_it_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        for (var round = 0; round < 5; round++)
        {
            var id = await AuthorisedAsync(merchant, $"ORDER-CARD-RACE-{round}");
            using var start = new ManualResetEventSlim();
            var captures = Enumerable.Range(1, 8)
                .Select(i => Task.Run(async () => { start.Wait(); return await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = i * 10_000 }); }))
                .ToArray();
            start.Set();
            var answers = await Task.WhenAll(captures);
            Assert.Single(answers, a => a.Status == 200);
            Assert.All(answers, a => Assert.True(a.Status is 200 or 409, $"capture answered {a.Status}"));
            var winner = answers.Single(a => a.Status == 200).Body.Long("amount_captured");
            var (_, final) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
            Assert.Equal(winner, final.Long("amount_captured"));
            Assert.Equal(1, await PaidEntries(id));
        }
    }

    [Fact]
    public async Task The_customer_enters_a_card_on_the_providers_page_and_is_sent_back()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new
        {
            amount = 20_000,
            currency = "IDR",
            method = "card",
            capture_method = "manual",
            provider = "simulator",
            order_id = "ORDER-CARD-PAGE",
            return_url = "https://shop.example/thanks",
        });
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = payment.GetProperty("payment_instructions").Str("url");
        var page = await browser.GetStringAsync(url);
        Assert.Contains("card_number", page, StringComparison.Ordinal);

        using var declined = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["card_number"] = "4111 1111 1111 1112" }));
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));

        using var accepted = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["card_number"] = "4242 4242 4242 4242", ["expiry"] = "12/30", ["cvc"] = "123" }));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("https://shop.example/thanks", accepted.Headers.Location!.ToString());
        Assert.Equal("requires_capture", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }
}

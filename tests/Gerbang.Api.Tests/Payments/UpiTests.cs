using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Payments;

/// <summary>UPI collect payments in INR, which only the simulator takes (contract §2).</summary>
public sealed class UpiTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static object Upi(string order, long amount = 250_000, string vpa = "sari.k@okaxis") =>
        new { amount, currency = "INR", method = "upi", vpa, order_id = order };

    [Fact]
    public async Task A_UPI_collect_request_is_paid_through_the_simulator_and_credits_an_INR_balance()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (created, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Upi("ORDER-UPI-1"), "upi-1");
        Assert.Equal(201, created);
        Assert.Equal("pending", payment.Str("status"));
        Assert.Equal("upi", payment.Str("method"));
        Assert.Equal("INR", payment.Str("currency"));
        Assert.Equal("simulator", payment.Str("provider"));
        var instructions = payment.GetProperty("payment_instructions");
        Assert.Equal("upi", instructions.Str("type"));
        Assert.Equal("sari.k@okaxis", instructions.Str("vpa"));
        var lifetime = DateTimeOffset.Parse(payment.Str("expires_at"), System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(payment.Str("created_at"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(15), lifetime);

        var (paidStatus, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal(200, paidStatus);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(1250, paid.Long("fee")); // the default 0.5% of ₹2,500.00, in paise
        Assert.Equal(250_000 - 1250, paid.Long("net"));

        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        var inr = balance.GetProperty("available").EnumerateArray().Single(a => a.Str("currency") == "INR");
        Assert.Equal(250_000 - 1250, inr.Long("amount"));
        var (_, transactions) = await merchant.Client.GetJsonAsync("/v1/balance_transactions");
        Assert.All(transactions.GetProperty("data").EnumerateArray(), t => Assert.Equal("INR", t.Str("currency")));
        var postings = "select count(*) from ledger_postings p join ledger_accounts a on a.id = p.account_id where a.owner = $1 and p.currency = $2";
        Assert.Equal(0, await gerbang.CountAsync(postings, merchant.Id, "IDR"));
        Assert.True(await gerbang.CountAsync(postings, merchant.Id, "INR") > 0);

        var (refundStatus, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/refunds", new { amount = 100_000 });
        Assert.Equal(201, refundStatus);
        Assert.Equal("INR", refund.Str("currency"));
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded");
        var (_, after) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(250_000 - 1250 - 100_000, after.GetProperty("available").EnumerateArray().Single(a => a.Str("currency") == "INR").Long("amount"));
    }

    [Theory]
    [InlineData(150_000, "IDR", "Rp150.000")]
    [InlineData(250_000, "INR", "2,500.00 INR")]
    [InlineData(5, "INR", "0.05 INR")]
    [InlineData(-123_456, "USD", "-1,234.56 USD")]
    public void Amounts_are_shown_to_people_in_their_currency_units(long amount, string currency, string shown) =>
        Assert.Equal(shown, Gerbang.Api.Checkout.CheckoutPageEndpoints.DisplayAmount(amount, currency));

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { """{"amount":10000,"currency":"INR","method":"upi","order_id":"O"}""", "parameter_missing", "vpa" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":"sari","order_id":"O"}""", "vpa_invalid", "vpa" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":"s@okaxis","order_id":"O"}""", "vpa_invalid", "vpa" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":"sari@ok axis","order_id":"O"}""", "vpa_invalid", "vpa" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":"sari@a@b","order_id":"O"}""", "vpa_invalid", "vpa" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":42,"order_id":"O"}""", "parameter_invalid_type", "vpa" },
        { """{"amount":10000,"currency":"IDR","method":"upi","vpa":"sari@okaxis","order_id":"O"}""", "currency_invalid", "currency" },
        { """{"amount":10000,"currency":"INR","method":"upi","vpa":"sari@okaxis","bank":"bca","order_id":"O"}""", "parameter_unexpected", "bank" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","vpa":"sari@okaxis","order_id":"O"}""", "parameter_unexpected", "vpa" },
        { """{"amount":150000,"currency":"IDR","method":"qris","vpa":"sari@okaxis","order_id":"O"}""", "parameter_unexpected", "vpa" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_UPI_input_is_refused_and_writes_nothing(string body, string code, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", body, "bad-upi");
        Assert.Equal(400, status);
        var codes = problem.TryGetProperty("errors", out var errors)
            ? errors.EnumerateArray().Select(e => (e.Str("code"), e.Str("param"))).ToList()
            : [(problem.Str("code"), problem.TryGetProperty("param", out var p) ? p.GetString()! : "")];
        Assert.Contains((code, param), codes);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_keys where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task A_live_key_cannot_take_UPI_because_no_real_provider_offers_it()
    {
        var merchant = await gerbang.NewLiveMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", Upi("ORDER-UPI-LIVE"));
        Assert.Equal(422, status);
        Assert.Equal("no_provider_available", problem.Str("code"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task A_pin_to_a_provider_other_than_the_simulator_is_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var body = new { amount = 10_000, currency = "INR", method = "upi", vpa = "sari@okaxis", order_id = "ORDER-UPI-PIN", provider = "xendit" };
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", body);
        Assert.Equal(422, status);
        Assert.Equal("no_provider_available", problem.Str("code"));
        Assert.Equal("provider", problem.Str("param"));
    }
}

using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Checkout;

/// <summary>Checkout sessions through the merchant API and the page's own endpoints, without a browser.</summary>
public sealed class CheckoutSessionTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static object Session(string order, object? methods = null, string success = "https://shop.example/thanks") =>
        new { amount = 150_000, currency = "IDR", order_id = order, methods = methods ?? new[] { "qris" }, success_url = success, cancel_url = "https://shop.example/cart" };

    [Theory]
    [InlineData("""{"amount":0,"currency":"IDR","order_id":"A","success_url":"https://a.example/","cancel_url":"https://a.example/"}""", "amount")]
    [InlineData("""{"amount":100,"currency":"IDR","order_id":"A","methods":["cash"],"success_url":"https://a.example/","cancel_url":"https://a.example/"}""", "methods")]
    [InlineData("""{"amount":100,"currency":"IDR","order_id":"A","methods":[],"success_url":"https://a.example/","cancel_url":"https://a.example/"}""", "methods")]
    [InlineData("""{"amount":100,"currency":"IDR","order_id":"A","success_url":"javascript:alert(1)","cancel_url":"https://a.example/"}""", "success_url")]
    [InlineData("""{"amount":100,"currency":"IDR","order_id":"A","success_url":"https://a.example/","cancel_url":"ftp://a.example/"}""", "cancel_url")]
    [InlineData("""{"amount":100,"currency":"IDR","order_id":"A","success_url":"https://a.example/","cancel_url":"https://a.example/","status":"complete"}""", "status")]
    public async Task Bad_sessions_are_refused_and_nothing_is_written(string body, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/checkout/sessions", body);
        Assert.Equal(400, status);
        Assert.Equal(param, problem.Str("param"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from checkout_sessions where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task A_session_belongs_to_its_merchant_and_makes_one_payment()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var other = await gerbang.NewMerchantAsync();
        var (status, session, _) = await merchant.Client.PostJsonAsync("/v1/checkout/sessions", Session("ORDER-CS-1"));
        Assert.Equal(201, status);
        Assert.StartsWith("cs_", session.Str("id"));
        Assert.Equal("open", session.Str("status"));
        Assert.Equal(404, (await other.Client.GetJsonAsync($"/v1/checkout/sessions/{session.Str("id")}")).Status);

        var page = await gerbang.Http.GetAsync($"/checkout/{session.Str("id")}");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("frame-ancestors 'self' https://shop.example", page.Headers.GetValues("Content-Security-Policy").Single());

        var (wrong, problem, _) = await gerbang.Http.PostJsonAsync($"/checkout/{session.Str("id")}/payments", new { method = "va", bank = "bca" });
        Assert.Equal((400, "method"), (wrong, problem.Str("param")));
        var (first, chosen, _) = await gerbang.Http.PostJsonAsync($"/checkout/{session.Str("id")}/payments", new { method = "qris" });
        Assert.Equal(201, first);
        var (again, same, _) = await gerbang.Http.PostJsonAsync($"/checkout/{session.Str("id")}/payments", new { method = "qris" });
        Assert.Equal(200, again);
        Assert.Equal(chosen.GetProperty("payment").Str("id"), same.GetProperty("payment").Str("id"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal("image/svg+xml", (await gerbang.Http.GetAsync($"/checkout/{session.Str("id")}/qr.svg")).Content.Headers.ContentType!.MediaType);

        // The state the browser reads names no provider reference and no key.
        var state = await (await gerbang.Http.GetAsync($"/checkout/{session.Str("id")}/state")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("provider_reference", state);
        Assert.DoesNotContain(merchant.Key, state);
    }

    [Fact]
    public async Task Live_sessions_need_https_urls()
    {
        var live = await gerbang.NewLiveMerchantAsync();
        var (status, problem, _) = await live.Client.PostJsonAsync("/v1/checkout/sessions", Session("ORDER-CS-LIVE", success: "http://shop.example/thanks"));
        Assert.Equal((400, "success_url"), (status, problem.Str("param")));
    }

    [Fact]
    public async Task An_unknown_session_is_a_plain_404()
    {
        Assert.Equal(404, (int)(await gerbang.Http.GetAsync("/checkout/cs_nothing")).StatusCode);
        Assert.Equal(404, (await gerbang.Http.PostJsonAsync("/checkout/cs_nothing/payments", new { method = "qris" })).Status);
    }
}

public sealed class StrictCheckoutLimitFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:RateLimits:CheckoutPerMinute"] = "5";
}

public sealed class CheckoutRateLimitTests(StrictCheckoutLimitFixture gerbang) : IClassFixture<StrictCheckoutLimitFixture>
{
    [Fact]
    public async Task A_flood_of_payment_starts_from_one_address_is_refused_with_retry_after()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            var (status, _, response) = await gerbang.Http.PostJsonAsync("/checkout/cs_nothing/payments", new { method = "qris" });
            statuses.Add(status);
            if (status == 429)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal([404, 404, 404, 404, 404, 429, 429], statuses);
    }
}

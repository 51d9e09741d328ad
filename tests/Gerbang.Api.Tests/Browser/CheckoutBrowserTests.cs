using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Gerbang.Api.Tests.Browser;

/// <summary>
/// The checkout as a shopper meets it: the example shop embeds Gerbang's script, the hosted page opens
/// in its modal, the shopper pays through the test-mode button, and the shop hears of it.
/// </summary>
[Collection("browser")]
public sealed class CheckoutBrowserTests(BrowserFixture gerbang) : IClassFixture<BrowserFixture>
{
    private async Task<(TestMerchant Merchant, string Session, WebhookReceiver Receiver)> SessionAsync(string order, string[] methods, int? expiresIn = null)
    {
        var merchant = await gerbang.NewMerchantAsync("Kopi Senja");
        var receiver = await WebhookReceiver.StartAsync();
        var (endpointStatus, _, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.paid" } });
        Assert.Equal(201, endpointStatus);
        var (status, session, _) = await merchant.Client.PostJsonAsync("/v1/checkout/sessions", new
        {
            amount = 150_000,
            currency = "IDR",
            order_id = order,
            methods,
            success_url = gerbang.ShopUrl + "/success",
            cancel_url = gerbang.ShopUrl + "/",
            expires_in = expiresIn,
        });
        Assert.True(status == 201, session.ToString());
        Assert.Equal($"{gerbang.BaseUrl}/checkout/{session.Str("id")}", session.Str("url"));
        return (merchant, session.Str("id"), receiver);
    }

    private async Task<(IPage Page, IFrameLocator Checkout)> OpenShopAsync(string session, string name, bool phone = false)
    {
        var context = await gerbang.Browser.NewContextAsync(phone ? new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true } : new BrowserNewContextOptions());
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { problems.Add(m.Text); } };
        await page.GotoAsync($"{gerbang.ShopUrl}/?session={session}&gerbang={Uri.EscapeDataString(gerbang.BaseUrl)}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, $"{name}-1-shop.png") });
        await page.ClickAsync("#pay");
        return (page, page.FrameLocator("iframe[title='Gerbang checkout']"));
    }

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, name + ".png"), FullPage = true });

    [Fact]
    public async Task A_shopper_pays_by_QRIS_in_the_embedded_checkout_and_the_shop_and_the_merchant_hear_of_it()
    {
        var (merchant, session, receiver) = await SessionAsync("ORDER-BR-QRIS", ["qris", "va"]);
        await using (receiver)
        {
            var (page, checkout) = await OpenShopAsync(session, "qris");
            await Assertions.Expect(checkout.Locator("#amount")).ToHaveTextAsync("Rp150.000");
            await Assertions.Expect(checkout.Locator("#merchant-name")).ToHaveTextAsync("Kopi Senja");
            await ShotAsync(page, "qris-2-choose");
            await checkout.Locator("#method-qris").ClickAsync();
            var qr = checkout.Locator("#qr-image");
            await Assertions.Expect(qr).ToBeVisibleAsync();
            Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "the QR image did not load");
            await Assertions.Expect(checkout.Locator("#countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^1[45]:\d\d$"));
            await ShotAsync(page, "qris-3-qr");

            await checkout.Locator("#simulate").ClickAsync();
            await Assertions.Expect(page.Locator("#result")).ToHaveAttributeAsync("data-outcome", "paid", new() { Timeout = 15_000 });
            await ShotAsync(page, "qris-4-shop-paid");

            var (_, sessionNow) = await merchant.Client.GetJsonAsync($"/v1/checkout/sessions/{session}");
            Assert.Equal("complete", sessionNow.Str("status"));
            var webhook = await receiver.WaitForAsync(w => w.Text.Contains("payment.paid", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            using var body = JsonDocument.Parse(webhook.Body);
            Assert.Equal(sessionNow.Str("payment"), body.RootElement.GetProperty("data").GetProperty("object").Str("id"));
            Assert.Equal("ORDER-BR-QRIS", body.RootElement.GetProperty("data").GetProperty("object").Str("order_id"));
        }
    }

    [Fact]
    public async Task A_shopper_pays_by_virtual_account_on_a_phone_sized_screen()
    {
        var (merchant, session, receiver) = await SessionAsync("ORDER-BR-VA", ["va"]);
        await using (receiver)
        {
            var (page, checkout) = await OpenShopAsync(session, "va", phone: true);
            await Assertions.Expect(checkout.Locator("#method-qris")).ToHaveCountAsync(0);
            await checkout.Locator("#method-va").ClickAsync();
            await checkout.Locator("#bank-bni").ClickAsync();
            var number = checkout.Locator("#va-number");
            await Assertions.Expect(number).ToBeVisibleAsync();
            var (_, sessionNow) = await merchant.Client.GetJsonAsync($"/v1/checkout/sessions/{session}");
            var (_, payment) = await merchant.Client.GetJsonAsync($"/v1/payments/{sessionNow.Str("payment")}");
            Assert.Equal(payment.GetProperty("payment_instructions").Str("va_number"), await number.TextContentAsync());
            Assert.Equal("bni", payment.GetProperty("payment_instructions").Str("bank"));
            await ShotAsync(page, "va-2-number");

            await checkout.Locator("#simulate").ClickAsync();
            await Assertions.Expect(page.Locator("#result")).ToHaveAttributeAsync("data-outcome", "paid", new() { Timeout = 15_000 });
            await receiver.WaitForAsync(w => w.Text.Contains(payment.Str("id"), StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            await ShotAsync(page, "va-3-shop-paid");
        }
    }

    [Fact]
    public async Task An_expired_session_says_so_and_the_shop_hears_of_the_failure()
    {
        var (_, session, receiver) = await SessionAsync("ORDER-BR-EXPIRED", ["qris"], expiresIn: 60);
        await using (receiver)
        {
            gerbang.Clock.Advance(TimeSpan.FromSeconds(61));
            var (page, checkout) = await OpenShopAsync(session, "expired");
            await Assertions.Expect(checkout.Locator("#expired")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#result")).ToHaveAttributeAsync("data-outcome", "failed");
            await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("expired");
            await ShotAsync(page, "expired");
        }
    }

    [Fact]
    public async Task The_hosted_page_opened_directly_goes_to_the_success_url_and_keeps_secrets_out()
    {
        var (merchant, session, receiver) = await SessionAsync("ORDER-BR-DIRECT", ["qris"]);
        await using (receiver)
        {
            var context = await gerbang.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync($"{gerbang.BaseUrl}/checkout/{session}");
            var csp = await response!.HeaderValueAsync("content-security-policy");
            Assert.True(csp is not null, response.Status + " " + await response.TextAsync());
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains($"frame-ancestors 'self' {gerbang.ShopUrl}", csp);
            var html = await page.ContentAsync();
            Assert.DoesNotContain(merchant.Key, html);
            Assert.DoesNotContain("sk_", html);

            await page.ClickAsync("#method-qris");
            await page.ClickAsync("#simulate");
            await page.WaitForURLAsync(gerbang.ShopUrl + "/success", new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("#thanks")).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task A_card_is_entered_on_Stripes_page_authorised_and_captured_and_the_shopper_sees_the_done_page()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Kartu");
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-BR-CARD", 120_000, "manual", "stripe"));
        Assert.True(status == 201, payment.ToString());
        var context = await gerbang.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(payment.GetProperty("payment_instructions").Str("url"));
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("IDR 120,000.00");
        await page.FillAsync("#card-number", "4242 4242 4242 4242");
        await page.FillAsync("#expiry", "12 / 30");
        await page.FillAsync("#cvc", "123");
        await ShotAsync(page, "card-stripe-page");
        await page.ClickAsync("#pay");

        // No return_url was given: Stripe sends the shopper to Gerbang's own page.
        try
        {
            await page.WaitForURLAsync(gerbang.BaseUrl + "/checkout/done", new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the shopper is still at {page.Url}: {await page.ContentAsync()}");
        }

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Payment submitted");
        Assert.Equal("requires_capture", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
        var (captured, paid, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/capture", new { amount = 100_000 });
        Assert.Equal(200, captured);
        Assert.Equal(100_000, paid.Long("amount_captured"));
    }
}

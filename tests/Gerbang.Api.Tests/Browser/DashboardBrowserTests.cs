using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Gerbang.Api.Tests.Browser;

/// <summary>The dashboard as merchants and operators use it, in headless Chromium.</summary>
[Collection("browser")]
public sealed class DashboardBrowserTests(BrowserFixture gerbang) : IClassFixture<BrowserFixture>
{
    private const string Password = "a long enough password";

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "dashboard-" + name + ".png"), FullPage = true });

    private async Task<string> MerchantUserAsync(TestMerchant merchant)
    {
        using var ops = await gerbang.AsRoleAsync("ops");
        var email = $"owner-{Guid.NewGuid():N}@shop.test";
        var (status, body, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email, password = Password, reason = "shop owner asked for dashboard access" });
        Assert.True(status == 201, body.ToString());
        return email;
    }

    private async Task<IPage> SignInAsync(string email, string password, string start = "/dashboard")
    {
        var context = await gerbang.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(gerbang.BaseUrl + start);
        Assert.True(page.Url.Contains("/dashboard/login", StringComparison.Ordinal), $"{page.Url} {response?.Status} {await page.ContentAsync()}");
        await page.FillAsync("input[name=email]", email);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        return page;
    }

    [Fact]
    public async Task A_merchant_signs_in_finds_a_payment_refunds_it_and_sees_the_refund_and_its_webhook_delivery()
    {
        var merchant = await gerbang.NewMerchantAsync("Warung Dashboard");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointStatus, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "*" } });
        Assert.Equal(201, endpointStatus);
        var (created, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-DASH-1", 80_000));
        Assert.Equal(201, created);
        var paymentId = payment.Str("id");
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{paymentId}/pay", null)).Status);
        await gerbang.DriveUntilAsync(merchant, $"/v1/payments/{paymentId}", "paid");
        var email = await MerchantUserAsync(merchant);

        var page = await SignInAsync(email, Password);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/payments");
        await Assertions.Expect(page.Locator("#payments")).ToContainTextAsync(paymentId);
        await ShotAsync(page, "merchant-payments");

        await page.SelectOptionAsync("select[name=status]", "paid");
        await page.FillAsync("input[name=order_id]", "ORDER-DASH-1");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.ClickAsync($"a:has-text('{paymentId}')");
        await page.WaitForURLAsync($"{gerbang.BaseUrl}/dashboard/payments/{paymentId}");
        await Assertions.Expect(page.Locator("#payment-status")).ToHaveTextAsync("paid");
        await Assertions.Expect(page.Locator("#attempts")).ToContainTextAsync("issued");
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync("payment.paid");

        await page.FillAsync("#refund-form input[name=amount]", "30000");
        await page.FillAsync("#refund-form input[name=reason]", "Customer returned one item");
        await page.ClickAsync("#refund-form button");
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("Refund re_");
        await Assertions.Expect(page.Locator("#refunds")).ToContainTextAsync("Rp30.000");
        await Assertions.Expect(page.Locator("#refunds")).ToContainTextAsync("Customer returned one item");
        await Assertions.Expect(page.Locator("#amount-refunded")).ToHaveTextAsync("Rp30.000");

        // The refund's webhook reaches the merchant's endpoint, and its delivery shows on the page.
        var webhook = await receiver.WaitForAsync(w => w.Text.Contains("refund.created", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        using var body = JsonDocument.Parse(webhook.Body);
        var refundId = body.RootElement.GetProperty("data").GetProperty("object").Str("id");
        var refundRow = page.Locator("#events tr", new() { HasText = "refund.created" });
        for (var i = 0; i < 30 && await refundRow.Locator(".badge.succeeded").CountAsync() == 0; i++)
        {
            await Task.Delay(300);
            await page.ReloadAsync();
        }

        await Assertions.Expect(refundRow.Locator(".badge.succeeded")).ToHaveTextAsync("200");
        await Assertions.Expect(page.Locator("#refunds")).ToContainTextAsync(refundId);
        await ShotAsync(page, "merchant-payment-refunded");

        // Resend: the same event goes out again as a new delivery.
        var before = receiver.Received.Count(w => w.Text.Contains(refundId, StringComparison.Ordinal) && w.Text.Contains("refund.created", StringComparison.Ordinal));
        await refundRow.Locator("button:has-text('Resend')").ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("queued for 1 endpoint");
        await receiver.WaitForAsync(_ => receiver.Received.Count(w => w.Text.Contains(refundId, StringComparison.Ordinal) && w.Text.Contains("refund.created", StringComparison.Ordinal)) > before, TimeSpan.FromSeconds(15));

        foreach (var (path, name) in new[] { ("/dashboard/balance", "merchant-balance"), ("/dashboard/payouts", "merchant-payouts"), ("/dashboard/webhooks", "merchant-webhooks"), ($"/dashboard/webhooks/{endpoint.Str("id")}", "merchant-webhook-log"), ("/dashboard/keys", "merchant-keys") })
        {
            var response = await page.GotoAsync(gerbang.BaseUrl + path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            await ShotAsync(page, name);
        }

        await Assertions.Expect(page.Locator("#keys")).ToContainTextAsync("active");
        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/webhooks/{endpoint.Str("id")}");
        await Assertions.Expect(page.Locator("#deliveries")).ToContainTextAsync("succeeded");
        var html = await page.ContentAsync();
        Assert.DoesNotContain(merchant.Key, html);
        Assert.DoesNotContain(endpoint.Str("secret"), html);
    }
}

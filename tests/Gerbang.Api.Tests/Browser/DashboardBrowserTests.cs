using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Gerbang.Api.Tests.Browser;

/// <summary>The dashboard as merchants and operators use it, in headless Chromium.</summary>
[Collection("browser")]
public sealed class DashboardBrowserTests(BrowserFixture gerbang) : IClassFixture<BrowserFixture>
{
    private const string Password = DashboardClients.MerchantUserPassword;

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "dashboard-" + name + ".png"), FullPage = true });

    private Task<string> MerchantUserAsync(TestMerchant merchant) => gerbang.NewMerchantUserAsync(merchant);

    private async Task<IPage> SignInAsync(string email, string password, string start = "/dashboard")
    {
        var context = await gerbang.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(gerbang.BaseUrl + start);
        Assert.True(page.Url.Contains("/dashboard/login", StringComparison.Ordinal), $"{page.Url} {response?.Status} {await page.ContentAsync()}");
        await page.FillAsync("input[name=email]", email);
        await page.FillAsync("input[name=password]", password);
        await ShotAsync(page, "sign-in");
        await page.ClickAsync("button[type=submit]");

        // Leaving the sign-in page is the sign-in's answer; staying there means it was refused, and the page says why.
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/dashboard/login", StringComparison.Ordinal), new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"sign-in of {email} stayed on {page.Url}: {await page.Locator("main").InnerTextAsync()}");
        }

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
        // The filtered list is a new page: click the payment on it, not on the list it replaces.
        await page.WaitForURLAsync(url => url.Contains("order_id=ORDER-DASH-1", StringComparison.Ordinal));
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

        // Rolling the key shows the new one once; the old one stops at once.
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/keys");
        await page.ClickAsync("#keys button:has-text('Roll key')");
        var rolled = await page.Locator("#new-key .secret").TextContentAsync();
        Assert.StartsWith("sk_test_", rolled);
        Assert.Equal(401, (await merchant.Client.GetJsonAsync("/v1/balance")).Status);
        using var next = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        next.DefaultRequestHeaders.Authorization = new("Bearer", rolled);
        Assert.Equal(200, (await next.GetJsonAsync("/v1/balance")).Status);
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/keys");
        await Assertions.Expect(page.Locator("#keys")).ToContainTextAsync("revoked");
        Assert.DoesNotContain(rolled!, await page.ContentAsync());
    }

    [Fact]
    public async Task An_ops_user_runs_operations_but_cannot_open_finance_only_pages()
    {
        var (_, opsEmail, opsPassword) = await gerbang.NewAdminAsync("ops");
        var merchant = await gerbang.NewMerchantAsync("Toko Peran");
        var page = await SignInAsync(opsEmail, opsPassword);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/ops");
        await Assertions.Expect(page.Locator("nav")).ToContainTextAsync("Merchants");
        await Assertions.Expect(page.Locator("nav a", new() { HasText = "Ledger" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("nav a", new() { HasText = "Audit log" })).ToHaveCountAsync(0);

        foreach (var path in new[] { "/dashboard/ops/ledger", "/dashboard/ops/audit", "/dashboard/payments", "/dashboard/balance" })
        {
            var response = await page.GotoAsync(gerbang.BaseUrl + path);
            Assert.True(response!.Status == 403, $"{path} answered {response.Status} to ops");
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
        }

        await ShotAsync(page, "ops-denied");

        // On a merchant, ops may suspend but not set fees or limits (finance's part of the role table).
        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/ops/merchants/{merchant.Id}");
        await Assertions.Expect(page.Locator("#status-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#fees")).ToHaveCountAsync(0);
        var forged = await page.Context.APIRequest.PostAsync($"{gerbang.BaseUrl}/dashboard/ops/merchants/{merchant.Id}?handler=Limit", new()
        {
            Form = await FormWithTokenAsync(page, ("daily_cashout_limit", "1000"), ("reason", "not mine to set")),
            MaxRedirects = 0,
        });
        Assert.Equal(302, forged.Status);
        Assert.Contains("/dashboard/denied", forged.Headers["location"], StringComparison.Ordinal);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from merchants where id = $1 and daily_cashout_limit is not null", merchant.Id));

        await page.FillAsync("#status-form input[name=reason]", "chargeback fraud review");
        await page.ClickAsync("#status-form button[value=suspend]");
        await Assertions.Expect(page.Locator("#merchant-status")).ToHaveTextAsync("suspended");
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from audit_log where action = 'merchant.suspended' and target_id = $1 and actor_email = $2 and reason = 'chargeback fraud review'", merchant.Id, opsEmail));

        // Finance opens the ledger.
        var (_, financeEmail, financePassword) = await gerbang.NewAdminAsync("finance");
        var finance = await SignInAsync(financeEmail, financePassword, "/dashboard/ops/ledger");
        await finance.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/ops/ledger");
        await Assertions.Expect(finance.Locator("h1")).ToHaveTextAsync("Ledger");
        await ShotAsync(finance, "finance-ledger");

        // A merchant user stays on the merchant side.
        var email = await MerchantUserAsync(await gerbang.NewMerchantAsync("Toko Lain"));
        var owner = await SignInAsync(email, Password);
        await owner.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/payments");
        Assert.Equal(403, (await owner.GotoAsync(gerbang.BaseUrl + "/dashboard/ops"))!.Status);
    }

    [Fact]
    public async Task A_super_admin_sees_the_chart_approves_a_merchant_verifies_its_bank_account_and_changes_routing()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Grafik");
        for (var i = 0; i < 4; i++)
        {
            var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment($"ORDER-CHART-{i}", 20_000 + i));
            var outcome = i < 3 ? "pay" : "fail";
            Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/{outcome}", null)).Status);
            await gerbang.DriveUntilAsync(merchant, $"/v1/payments/{payment.Str("id")}", i < 3 ? "paid" : "failed");
        }

        var (status, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Toko Grafik" });
        Assert.Equal(201, status);

        var page = await SignInAsync(GerbangFixture.AdminEmail, GerbangFixture.AdminPassword);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/ops");
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/ops?livemode=false");
        Assert.True(await page.Locator("#volume-chart rect").CountAsync() >= 1);
        Assert.True(await page.Locator("#rate-chart polyline").CountAsync() >= 1);
        await Assertions.Expect(page.Locator(".legend")).ToContainTextAsync("simulator");
        await ShotAsync(page, "ops-overview");

        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/ops/merchants");
        await page.ClickAsync($"a:has-text('Toko Grafik')");
        await page.WaitForURLAsync($"{gerbang.BaseUrl}/dashboard/ops/merchants/{merchant.Id}");
        await page.FillAsync("#status-form input[name=reason]", "KYC documents checked");
        await page.ClickAsync("#status-form button[value=approve]");
        var liveKey = await page.Locator("#live-key .secret").TextContentAsync();
        Assert.StartsWith("sk_live_", liveKey);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#live-key")).ToHaveCountAsync(0);

        var row = page.Locator("#bank-accounts tr", new() { HasText = "7890" });
        await row.Locator("input[name=reason]").FillAsync("bank letter matches");
        await row.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("verified");
        await Assertions.Expect(page.Locator("#bank-accounts")).ToContainTextAsync("verified");
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from bank_accounts where id = $1 and status = 'verified'", account.Str("id")));
        await ShotAsync(page, "ops-merchant");

        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/ops/providers");
        var midtrans = page.Locator("#provider-midtrans form");
        await midtrans.Locator("input[name=weight]").FillAsync("40");
        await midtrans.Locator("input[name=reason]").FillAsync("midtrans slow this week");
        await midtrans.Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("Routing for midtrans saved");
        await Assertions.Expect(page.Locator("#provider-midtrans h2")).ToContainTextAsync("weight 40");
        await ShotAsync(page, "ops-providers");

        foreach (var (path, name) in new[] { ("/dashboard/ops/jobs", "ops-jobs"), ("/dashboard/ops/payments?livemode=false", "ops-payments"), ("/dashboard/ops/audit", "ops-audit") })
        {
            Assert.Equal(200, (await page.GotoAsync(gerbang.BaseUrl + path))!.Status);
            await ShotAsync(page, name);
        }

        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("provider.routing_changed");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("merchant.approved");
        Assert.DoesNotContain(liveKey!, await page.ContentAsync());
    }

    [Fact]
    public async Task A_form_posted_without_its_anti_forgery_token_changes_nothing()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko CSRF");
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-CSRF", 40_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        await gerbang.DriveUntilAsync(merchant, $"/v1/payments/{payment.Str("id")}", "paid");
        var page = await SignInAsync(await MerchantUserAsync(merchant), Password);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/payments");

        var url = $"{gerbang.BaseUrl}/dashboard/payments/{payment.Str("id")}?handler=Refund";
        var noToken = await page.Context.APIRequest.PostAsync(url, new() { Form = Form(page, ("amount", "20000")), MaxRedirects = 0 });
        Assert.Equal(400, noToken.Status);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1", payment.Str("id")));

        // The same post with the page's token goes through: the token, not anything else, made the difference.
        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/payments/{payment.Str("id")}");
        var withToken = await page.Context.APIRequest.PostAsync(url, new() { Form = await FormWithTokenAsync(page, ("amount", "20000")), MaxRedirects = 0 });
        Assert.Equal(302, withToken.Status);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1", payment.Str("id")));

        // A disabled merchant user's cookie stops working on the next request.
        using var ops = await gerbang.AsRoleAsync("ops");
        var users = (await ops.GetJsonAsync($"/admin/v1/merchants/{merchant.Id}/users")).Body.GetProperty("data");
        var (patched, _) = await ops.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/users/{users[0].Str("id")}", new { disabled = true, reason = "left the company" });
        Assert.Equal(200, patched);
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/payments");
        Assert.Contains("/dashboard/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_merchant_cancels_a_pending_payment_and_switches_to_live_mode_once_approved()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Mode");
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-CANCEL"));
        var page = await SignInAsync(await MerchantUserAsync(merchant), Password);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/payments");
        await Assertions.Expect(page.Locator(".mode button")).ToHaveCountAsync(1);

        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/payments/{payment.Str("id")}");
        await page.ClickAsync("button:has-text('Cancel payment')");
        await Assertions.Expect(page.Locator(".flash")).ToHaveTextAsync("Payment cancelled.");
        Assert.Contains((await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"), new[] { "cancelling", "cancelled" });

        using var ops = await gerbang.AsRoleAsync("ops");
        Assert.Equal(200, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "documents checked" })).Status);
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/payments");
        await page.ClickAsync(".mode button[value=live]");
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("live");
        await Assertions.Expect(page.Locator(".empty")).ToHaveTextAsync("No payments match.");
        await page.ClickAsync(".mode button[value=test]");
        await Assertions.Expect(page.Locator("#payments")).ToContainTextAsync(payment.Str("id"));
    }

    [Fact]
    public async Task A_merchant_captures_part_of_a_card_authorisation_and_voids_another()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Tangkap");
        var ids = new List<string>();
        foreach (var order in new[] { "ORDER-DASH-CAPTURE", "ORDER-DASH-VOID" })
        {
            var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment(order, 90_000, provider: "simulator"));
            await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
            ids.Add(payment.Str("id"));
        }

        var page = await SignInAsync(await MerchantUserAsync(merchant), Password);
        await page.WaitForURLAsync(gerbang.BaseUrl + "/dashboard/payments");
        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/payments/{ids[0]}");
        await Assertions.Expect(page.Locator("#payment-status")).ToHaveTextAsync("requires_capture");
        await page.FillAsync("#capture-form input[name=amount]", "70000");
        await page.ClickAsync("#capture-form button");
        await Assertions.Expect(page.Locator(".flash")).ToHaveTextAsync("Captured Rp70.000.");
        await Assertions.Expect(page.Locator("#payment-status")).ToHaveTextAsync("paid");
        await Assertions.Expect(page.Locator("#amount-captured")).ToHaveTextAsync("Rp70.000");
        await ShotAsync(page, "merchant-payment-captured");

        await page.GotoAsync($"{gerbang.BaseUrl}/dashboard/payments/{ids[1]}");
        await page.ClickAsync("button:has-text('Void authorisation')");
        await Assertions.Expect(page.Locator(".flash")).ToHaveTextAsync("Payment cancelled.");
        Assert.Equal("cancelled", (await merchant.Client.GetJsonAsync($"/v1/payments/{ids[1]}")).Body.Str("status"));
    }

    private static IFormData Form(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    private static async Task<IFormData> FormWithTokenAsync(IPage page, params (string Name, string Value)[] fields)
    {
        var token = await page.Locator("input[name=__csrf]").First.GetAttributeAsync("value");
        return Form(page, [.. fields, ("__csrf", token!)]);
    }

    [Fact]
    public async Task A_second_admin_approves_a_change_request_in_the_dashboard_and_the_asker_can_only_withdraw_it()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Empat Mata");
        var (_, askerEmail, askerPassword) = await gerbang.NewAdminAsync("finance");
        var (_, approverEmail, approverPassword) = await gerbang.NewAdminAsync("finance");
        using var asker = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        asker.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await gerbang.LoginAsync(askerEmail, askerPassword));
        Assert.Equal(200, (await asker.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 1_000_000, reason = "new merchant" })).Status);
        var (raised, request) = await asker.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 7_000_000, reason = "volume grew" });
        Assert.Equal(202, raised);
        var row = $"#change-requests tr:has-text('{merchant.Id}')";

        // The asker sees the request with Withdraw only.
        var askerPage = await SignInAsync(askerEmail, askerPassword);
        await askerPage.GotoAsync(gerbang.BaseUrl + "/dashboard/ops/changes");
        await Assertions.Expect(askerPage.Locator(row)).ToContainTextAsync("merchant.cashout_limit");
        await Assertions.Expect(askerPage.Locator(row + " button[value=approve]")).ToHaveCountAsync(0);
        await Assertions.Expect(askerPage.Locator(row + " button[value=reject]")).ToHaveTextAsync("Withdraw");

        // Another finance admin approves it with a reason; the change is applied and both names are kept.
        var page = await SignInAsync(approverEmail, approverPassword);
        await page.GotoAsync(gerbang.BaseUrl + "/dashboard/ops/changes");
        await page.FillAsync(row + " input[name=reason]", "statements checked");
        await ShotAsync(page, "change-requests");
        await page.ClickAsync(row + " button[value=approve]");
        await Assertions.Expect(page.Locator(".flash")).ToContainTextAsync("Change approved and applied.");
        await Assertions.Expect(page.Locator("#decided-requests")).ToContainTextAsync(approverEmail);
        Assert.Equal(7_000_000, await gerbang.CountAsync("select daily_cashout_limit from merchants where id = $1", merchant.Id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from change_requests where id = $1 and status = 'approved' and decided_by_email = $2 and requested_by_email = $3", request.Str("id"), approverEmail, askerEmail));
    }
}

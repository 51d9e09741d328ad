using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

/// <summary>Gerbang logging as shipped (Information, the framework's own at Warning), captured line by line.</summary>
public sealed class ShippedLoggingFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
    }
}

/// <summary>
/// A merchant's whole life (keys, an invited user, a webhook endpoint, a VA payment from a customer with
/// an email and phone, its refund, a bank account, a payout, a key roll), and then every log line
/// scanned: no key, secret, invitation link, password, full account or VA number, email or phone.
/// </summary>
public sealed class LifecycleLogTests(ShippedLoggingFixture gerbang) : IClassFixture<ShippedLoggingFixture>
{
    [Fact]
    public async Task A_full_lifecycle_logs_no_secret_and_no_personal_data()
    {
        var merchant = await gerbang.NewMerchantAsync("Toko Log");
        using var ops = await gerbang.AsRoleAsync("ops");
        var (_, approved, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "checked" });
        var userEmail = await gerbang.NewMerchantUserAsync(merchant);
        var invitation = gerbang.InvitationLink(userEmail);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "*" } });

        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new
        {
            amount = 150_000,
            currency = "IDR",
            method = "va",
            bank = "bni",
            order_id = "ORDER-LOG-1",
            customer = new { name = "Sari Wulandari", email = "sari.wulandari@example.com", phone = "+6281234567890" },
        });
        var va = payment.GetProperty("payment_instructions").Str("va_number");
        Assert.True(va.Length >= 8, payment.ToString());
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, qris, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-LOG-2", 80_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{qris.Str("id")}/pay", null);
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{qris.Str("id")}/refunds", new { amount = 10_000 });
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");
        const string accountNumber = "0987654321123";
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = accountNumber, account_holder_name = "Sari Wulandari" });
        await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "statement checked" });
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 20_000, currency = "IDR" });
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{payout.Str("id")}", "processing", "succeeded", "failed");
        var (_, rolled, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 60 });
        Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email = GerbangFixture.AdminEmail, password = "a wrong password entirely" })).Status);

        var logs = string.Join("\n", LogCapture.Lines);
        Assert.NotEmpty(logs);
        var secrets = new Dictionary<string, string>
        {
            ["test key"] = merchant.Key,
            ["live key"] = approved.Str("live_secret_key"),
            ["rolled key"] = rolled.Str("secret_key"),
            ["webhook secret"] = endpoint.Str("secret"),
            ["invitation link"] = invitation[(invitation.LastIndexOf('/') + 1)..],
            ["merchant user email"] = userEmail,
            ["merchant user password"] = DashboardClients.MerchantUserPassword,
            ["admin password"] = GerbangFixture.AdminPassword,
            ["wrong password"] = "a wrong password entirely",
            ["account number"] = accountNumber,
            ["VA number"] = va,
            ["customer email"] = "sari.wulandari@example.com",
            ["customer phone"] = "81234567890",
            ["customer name"] = "Sari Wulandari",
        };
        var leaks = secrets.Where(s => logs.Contains(s.Value, StringComparison.OrdinalIgnoreCase)).Select(s => s.Key).ToList();
        Assert.True(leaks.Count == 0, "logged: " + string.Join(", ", leaks));
    }
}

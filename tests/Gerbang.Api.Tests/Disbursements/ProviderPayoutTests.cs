using System.Text;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Midtrans;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Disbursements;

/// <summary>Payouts through Xendit (v2 payouts) and Midtrans Iris, each against its simulator, chosen by operators' routing.</summary>
public sealed class ProviderPayoutTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    /// <summary>A funded merchant with a verified BNI account, for whom operators left only <paramref name="provider"/> able to pay out.</summary>
    private async Task<TestMerchant> FundedAsync(string provider, long balance = 200_000)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-PO-FUND", balance));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bni", account_number = "0987654321", account_holder_name = "Budi" });
        using var ops = await gerbang.AsRoleAsync("ops");
        Assert.Equal(200, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "statement checked" })).Status);
        foreach (var other in new[] { "simulator", "xendit", "midtrans" }.Where(p => p != provider))
        {
            Assert.Equal(200, (await ops.PatchJsonAsync($"/admin/v1/providers/{other}", new { enabled = false, merchant = merchant.Id, reason = $"payouts for this merchant through {provider}" })).Status);
        }

        return merchant;
    }

    private async Task<long> AvailableAsync(TestMerchant merchant) =>
        (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount");

    [Fact]
    public async Task A_Xendit_payout_carries_one_idempotency_key_is_notified_and_posts_once()
    {
        var merchant = await FundedAsync("xendit");
        var before = await AvailableAsync(merchant);
        var (status, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 50_000, currency = "IDR" });
        Assert.Equal(201, status);
        Assert.Equal("xendit", payout.Str("provider"));
        var id = payout.Str("id");
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", "processing");

        var xendit = gerbang.App.Services.GetRequiredService<XenditSimulatorState>();
        var atXendit = xendit.FindPayout(id)!;
        Assert.Equal(id, atXendit.IdempotencyKey);
        Assert.Equal("ID_BNI", atXendit.ChannelCode);
        Assert.Equal("0987654321", atXendit.AccountNumber);

        // Asking again (as a retry or a reconciliation pass does) finds the same payout.
        gerbang.Clock.Advance(TimeSpan.FromMinutes(2));
        await gerbang.App.Services.GetRequiredService<Gerbang.Api.Reconciliation.Reconciler>().RunAsync(full: false, CancellationToken.None);
        Assert.Single(xendit.Payouts.Values, p => p.ReferenceId == id);

        var (_, done, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null);
        Assert.Equal("succeeded", done.Str("status"));
        Assert.Equal(before - 50_000 - payout.Long("fee"), await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"disbursement:{id}:%posted"));
    }

    [Fact]
    public async Task A_Midtrans_Iris_payout_that_fails_is_released_and_its_notification_is_checked_by_Iris_Signature()
    {
        var merchant = await FundedAsync("midtrans");
        var before = await AvailableAsync(merchant);
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 30_000, currency = "IDR" });
        Assert.Equal("midtrans", payout.Str("provider"));
        var id = payout.Str("id");
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", "processing");
        var iris = gerbang.App.Services.GetRequiredService<MidtransSimulatorState>().Payouts[id];
        // Iris queued it for approval; Gerbang approved it with the approver key, as Iris expects.
        Assert.Equal(("bni", 30_000L, "approved"), (iris.Bank, iris.Amount, iris.Status));

        // A notification signed with another key is refused and changes nothing.
        var forged = $$"""{"reference_no":"{{iris.ReferenceNo}}","amount":"30000.00","status":"failed","updated_at":"2026-01-01T00:00:00Z"}""";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/midtrans/payouts") { Content = new StringContent(forged, Encoding.UTF8, "application/json") })
        {
            request.Headers.TryAddWithoutValidation("Iris-Signature", Gerbang.Providers.Midtrans.MidtransSignature.IrisSignature(Encoding.UTF8.GetBytes(forged), "IRIS-not-the-key"));
            Assert.Equal(401, (int)(await gerbang.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal("processing", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status"));
        var (_, failed, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/fail", null);
        Assert.Equal("failed", failed.Str("status"));
        Assert.Equal(before, await AvailableAsync(merchant));
    }

    [Fact]
    public async Task A_payout_stuck_at_the_bank_keeps_its_reservation_until_the_bank_answers()
    {
        var merchant = await FundedAsync("xendit");
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 20_000, currency = "IDR" });
        var id = payout.Str("id");
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", "processing");
        var xendit = gerbang.App.Services.GetRequiredService<XenditSimulatorState>();
        xendit.Knobs.StuckPayouts = true;
        try
        {
            Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null)).Status);
        }
        finally
        {
            xendit.Knobs.Reset();
        }

        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(20_000 + payout.Long("fee"), balance.GetProperty("reserved")[0].Long("amount"));
        Assert.Equal("succeeded", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null)).Body.Str("status"));
    }

    [Fact]
    public async Task An_Iris_payout_completed_and_then_returned_by_the_bank_is_reversed_once_and_the_merchant_made_whole()
    {
        var merchant = await FundedAsync("midtrans");
        var before = await AvailableAsync(merchant);
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 25_000, currency = "IDR" });
        var id = payout.Str("id");
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", "processing");
        Assert.Equal("succeeded", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null)).Body.Str("status"));
        Assert.Equal(before - 25_000 - payout.Long("fee"), await AvailableAsync(merchant));

        // Iris: "completed" can still turn "failed" when the bank sends the money back.
        var (_, returned, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/fail", null);
        Assert.Equal("failed", returned.Str("status"));
        Assert.Equal("payout_reversed", returned.GetProperty("failure").Str("code"));
        Assert.Equal(before, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"disbursement:{id}:reversed"));

        // The same report again, and a late success, change nothing.
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/fail", null);
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null);
        Assert.Equal(before, await AvailableAsync(merchant));
        Assert.Equal("failed", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'disbursement.failed'", id));
    }
}

/// <summary>Gerbang set to leave Iris approvals to an operator.</summary>
public sealed class IrisByOperatorFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Providers:Midtrans:IrisApproval"] = "operator";
}

public sealed class IrisApprovalTests(IrisByOperatorFixture gerbang) : IClassFixture<IrisByOperatorFixture>
{
    [Fact]
    public async Task An_Iris_payout_left_for_an_operator_stays_processing_with_its_reservation_until_approved_and_paid()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-IRIS-OP", 100_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bni", account_number = "0011223344", account_holder_name = "Sari" });
        using var ops = await gerbang.AsRoleAsync("ops");
        await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "checked" });
        foreach (var other in new[] { "simulator", "xendit" })
        {
            Assert.Equal(200, (await ops.PatchJsonAsync($"/admin/v1/providers/{other}", new { enabled = false, merchant = merchant.Id, reason = "payouts through Iris" })).Status);
        }

        var (status, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 25_000, currency = "IDR" });
        Assert.True(status == 201, payout.ToString());
        Assert.Equal("midtrans", payout.Str("provider"));
        var id = payout.Str("id");
        await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", "processing");

        var iris = gerbang.App.Services.GetRequiredService<MidtransSimulatorState>().Payouts[id];
        Assert.Equal("queued", iris.Status);
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null)).Status); // the bank waits for the approval

        // An operator approves it in Iris; the bank pays; the notification settles it.
        iris.Status = "approved";
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/succeed", null)).Status);
        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status"));
    }
}

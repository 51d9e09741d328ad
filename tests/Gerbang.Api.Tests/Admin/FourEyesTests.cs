using System.Text.Json;
using Gerbang.Api.Admin;
using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Admin;

/// <summary>
/// No single person directs a live merchant's money: a live bank account's verification and a raised
/// cash-out limit wait for a second admin whose role may approve them, and a live payout to an account
/// verified recently waits for review by someone who did not verify it. Live money moves through the
/// live Xendit adapter to Xendit's simulator running as its own server.
/// </summary>
public sealed class FourEyesTests(LiveProviderFixture gerbang) : IClassFixture<LiveProviderFixture>
{
    /// <summary>A live merchant holding live money: a QRIS payment through live Xendit, paid at Xendit.</summary>
    private async Task<(TestMerchant Merchant, string BankAccount)> LiveMerchantAsync(long amount = 500_000)
    {
        var merchant = await gerbang.NewLiveMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount, currency = "IDR", method = "qris", order_id = "LIVE-" + Guid.NewGuid().ToString("N"), provider = "xendit" });
        Assert.True(status == 201, payment.ToString());
        var (paid, answer, _) = await gerbang.ProviderControl.PostJsonAsync($"control/{payment.Str("provider_reference")}/pay", null);
        Assert.True(paid == 200, answer.ToString());
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" });
        Assert.Equal("unverified", account.Str("status"));
        return (merchant, account.Str("id"));
    }

    private static async Task<long> AvailableAsync(TestMerchant merchant) =>
        (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount");

    private async Task<string> VerifiedByTwoAsync(TestMerchant merchant, string account, HttpClient asker, HttpClient approver)
    {
        var (status, request, _) = await asker.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account}/verify", new { reason = "bank letter checked" });
        Assert.True(status == 202, request.ToString());
        var (approved, body, _) = await approver.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "letter matches the account" });
        Assert.True(approved == 200, body.ToString());
        return request.Str("id");
    }

    private async Task DriveAsync()
    {
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        for (var i = 0; i < 10 && await jobs.ProcessBatchAsync() > 0; i++)
        {
        }
    }

    [Fact]
    public async Task A_live_bank_account_is_verified_only_when_a_second_admin_whose_role_may_approves()
    {
        var (merchant, account) = await LiveMerchantAsync();
        var (opsA, opsAEmail) = await gerbang.NewAdminClientAsync("ops");
        var (opsB, opsBEmail) = await gerbang.NewAdminClientAsync("ops");
        var (finance, _) = await gerbang.NewAdminClientAsync("finance");

        var (status, request, _) = await opsA.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account}/verify", new { reason = "bank letter checked" });
        Assert.Equal(202, status);
        Assert.Equal(("change_request", "bank_account.verify", "pending", opsAEmail), (request.Str("object"), request.Str("kind"), request.Str("status"), request.GetProperty("requested_by").Str("email")));

        // Nothing changed yet: the account cannot receive a payout.
        var (refused, problem, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 10_000, currency = "IDR", bank_account = account });
        Assert.Equal((422, "bank_account_not_verified"), (refused, problem.Str("code")));
        Assert.Equal(409, (await opsB.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account}/verify", new { reason = "again" })).Status);

        // The one who asked cannot approve; a role that may not verify accounts cannot either.
        var (own, ownProblem, _) = await opsA.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "looks fine" });
        Assert.Equal((403, "four_eyes_required"), (own, ownProblem.Str("code")));
        Assert.Equal(403, (await finance.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "looks fine" })).Status);
        Assert.Equal(400, (await opsB.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { })).Status);
        Assert.Equal("unverified", await StatusOfAccountAsync(merchant, account));

        var (_, pending) = await finance.GetJsonAsync($"/admin/v1/change_requests?status=pending&merchant={merchant.Id}");
        Assert.Contains(pending.GetProperty("data").EnumerateArray(), r => r.Str("id") == request.Str("id"));
        Assert.Equal(400, (await finance.GetJsonAsync("/admin/v1/change_requests?status=maybe")).Status);

        var (approved, decided, _) = await opsB.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "letter matches the account" });
        Assert.Equal(200, approved);
        Assert.Equal(("approved", opsBEmail), (decided.Str("status"), decided.GetProperty("decided_by").Str("email")));
        Assert.Equal("verified", await StatusOfAccountAsync(merchant, account));
        Assert.Equal(409, (await opsB.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "twice" })).Status);

        // Both people are in the audit log, on the change itself.
        var verified = (await gerbang.AuditAsync("bank_account.verified")).EnumerateArray().Single(a => a.Str("target_id") == account);
        Assert.Equal(opsBEmail, verified.Str("actor_email"));
        Assert.Equal((opsAEmail, opsBEmail), (verified.GetProperty("after").Str("requested_by"), verified.GetProperty("after").Str("approved_by")));
    }

    private static async Task<string> StatusOfAccountAsync(TestMerchant merchant, string account) =>
        (await merchant.Client.GetJsonAsync("/v1/bank_accounts")).Body.GetProperty("data").EnumerateArray().Single(a => a.Str("id") == account).Str("status");

    [Fact]
    public async Task Two_admins_deciding_one_request_at_once_apply_it_once_and_one_request_waits_per_change()
    {
        var (merchant, account) = await LiveMerchantAsync(100_000);
        var (opsA, _) = await gerbang.NewAdminClientAsync("ops");
        var (opsB, _) = await gerbang.NewAdminClientAsync("ops");
        var (opsC, _) = await gerbang.NewAdminClientAsync("ops");
        var asks = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => opsA.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account}/verify", new { reason = "bank letter checked" })));
        Assert.Single(asks, a => a.Status == 202);
        Assert.Equal(3, asks.Count(a => a.Status == 409));
        var id = asks.Single(a => a.Status == 202).Body.Str("id");
        var decisions = await Task.WhenAll(
            opsB.PostJsonAsync($"/admin/v1/change_requests/{id}/approve", new { reason = "checked" }),
            opsC.PostJsonAsync($"/admin/v1/change_requests/{id}/approve", new { reason = "checked" }));
        Assert.Equal([200, 409], decisions.Select(d => d.Status).Order().ToArray());
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from audit_log where action = 'bank_account.verified' and target_id = $1", account));
    }

    [Fact]
    public async Task A_live_payout_to_a_newly_verified_account_waits_for_review_by_someone_who_did_not_verify_it()
    {
        var (merchant, account) = await LiveMerchantAsync();
        var (opsA, _) = await gerbang.NewAdminClientAsync("ops");
        var (opsB, _) = await gerbang.NewAdminClientAsync("ops");
        var (finance, financeEmail) = await gerbang.NewAdminClientAsync("finance");
        await VerifiedByTwoAsync(merchant, account, opsA, opsB);
        var before = await AvailableAsync(merchant);

        var (status, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 50_000, currency = "IDR", bank_account = account });
        Assert.Equal(201, status);
        Assert.Equal(("pending", "required"), (payout.Str("status"), payout.Str("review")));
        await DriveAsync();
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from disbursements where id = $1 and status = 'pending' and sent_at is null", payout.Str("id")));
        var (_, held) = await finance.GetJsonAsync("/admin/v1/disbursements?review=required");
        Assert.Contains(held.GetProperty("data").EnumerateArray(), d => d.Str("id") == payout.Str("id"));
        Assert.Equal(400, (await finance.GetJsonAsync("/admin/v1/disbursements?review=soon")).Status);

        // Neither admin who put the account in place may let money go to it.
        foreach (var verifier in new[] { opsA, opsB })
        {
            var (refused, problem, _) = await verifier.PostJsonAsync($"/admin/v1/disbursements/{payout.Str("id")}/release", new { reason = "merchant asked" });
            Assert.Equal((403, "four_eyes_required"), (refused, problem.Str("code")));
        }

        var (released, answer, _) = await finance.PostJsonAsync($"/admin/v1/disbursements/{payout.Str("id")}/release", new { reason = "called the merchant" });
        Assert.True(released == 200, answer.ToString());
        Assert.Equal(financeEmail, answer.Str("reviewed_by"));
        Assert.Equal("processing", await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{payout.Str("id")}", "processing", "succeeded"));

        // Rejected in review: never sent, failed, and the reservation is back.
        var (_, second, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 20_000, currency = "IDR", bank_account = account });
        Assert.Equal("required", second.Str("review"));
        var afterFirst = await AvailableAsync(merchant);
        Assert.True(afterFirst < before - 50_000);
        Assert.Equal(200, (await finance.PostJsonAsync($"/admin/v1/disbursements/{second.Str("id")}/reject", new { reason = "merchant did not ask for it" })).Status);
        var rejected = (await merchant.Client.GetJsonAsync($"/v1/disbursements/{second.Str("id")}")).Body;
        Assert.Equal(("failed", "rejected_in_review"), (rejected.Str("status"), rejected.GetProperty("failure").Str("code")));
        Assert.Equal(409, (await finance.PostJsonAsync($"/admin/v1/disbursements/{second.Str("id")}/release", new { reason = "changed my mind" })).Status);
        await DriveAsync();
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from disbursements where id = $1 and sent_at is null", second.Str("id")));
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(afterFirst + 20_000 + rejected.Long("fee"), balance.GetProperty("available")[0].Long("amount"));

        // Once the account has been a destination for longer than the review window, payouts go straight out.
        gerbang.Clock.Advance(TimeSpan.FromHours(25));
        var (_, third, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 10_000, currency = "IDR", bank_account = account });
        Assert.Equal(JsonValueKind.Null, third.GetProperty("review").ValueKind);
        Assert.Equal("processing", await gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{third.Str("id")}", "processing", "succeeded"));
    }

    [Fact]
    public async Task Raising_a_cashout_limit_needs_a_second_finance_admin_and_lowering_it_applies_at_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (financeA, _) = await gerbang.NewAdminClientAsync("finance");
        var (financeB, _) = await gerbang.NewAdminClientAsync("finance");
        var (ops, _) = await gerbang.NewAdminClientAsync("ops");
        Task<long> LimitAsync() => gerbang.CountAsync("select coalesce(daily_cashout_limit, -1) from merchants where id = $1", merchant.Id);

        Assert.Equal(200, (await financeA.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 1_000_000, reason = "new merchant" })).Status);
        var (raise, request) = await financeA.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 5_000_000, reason = "volume grew" });
        Assert.Equal(202, raise);
        Assert.Equal(1_000_000, await LimitAsync());
        Assert.Equal(403, (await financeA.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "fine" })).Status);
        Assert.Equal(403, (await ops.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "fine" })).Status);
        Assert.Equal(200, (await financeB.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "statements checked" })).Status);
        Assert.Equal(5_000_000, await LimitAsync());

        // Lowering protects the merchant: at once. Removing the limit is a raise: it waits, and the asker may withdraw it.
        Assert.Equal(200, (await financeA.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 100_000, reason = "fraud suspected" })).Status);
        Assert.Equal(100_000, await LimitAsync());
        var (remove, removal) = await financeA.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = (long?)null, reason = "trusted now" });
        Assert.Equal(202, remove);
        var (withdrawn, closed, _) = await financeA.PostJsonAsync($"/admin/v1/change_requests/{removal.Str("id")}/reject", new { reason = "asked too early" });
        Assert.Equal((200, "cancelled"), (withdrawn, closed.Str("status")));
        Assert.Equal(100_000, await LimitAsync());
    }

    [Fact]
    public async Task Self_approval_for_a_single_admin_install_cannot_be_set_while_live_providers_are_configured()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gerbang:FourEyes:AllowSelfApproval"] = "true",
            ["Providers:Live:Xendit:SecretKey"] = "xnd_production_x",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var error = Assert.Throws<InvalidOperationException>(() => FourEyesOptions.Validate(configuration));
        Assert.Contains("Gerbang:FourEyes:AllowSelfApproval", error.Message, StringComparison.Ordinal);
        settings.Remove("Providers:Live:Xendit:SecretKey");
        FourEyesOptions.Validate(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        await Task.CompletedTask;
    }
}

/// <summary>A development install with one admin: self-approval is on, and no live provider is configured.</summary>
public sealed class SingleAdminFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:FourEyes:AllowSelfApproval"] = "true";
}

public sealed class SingleAdminTests(SingleAdminFixture gerbang) : IClassFixture<SingleAdminFixture>
{
    [Fact]
    public async Task A_single_admin_development_install_approves_its_own_change_requests()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var root = await gerbang.AsRoleAsync("super_admin");
        Assert.Equal(200, (await root.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 1_000, reason = "start small" })).Status);
        var (raise, request) = await root.PatchJsonAsync($"/admin/v1/merchants/{merchant.Id}/limits", new { daily_cashout_limit = 9_000, reason = "grew" });
        Assert.Equal(202, raise);
        var (approved, decided, _) = await root.PostJsonAsync($"/admin/v1/change_requests/{request.Str("id")}/approve", new { reason = "only admin here" });
        Assert.Equal(200, approved);
        Assert.Equal(decided.GetProperty("requested_by").Str("id"), decided.GetProperty("decided_by").Str("id"));
        Assert.Equal(9_000, await gerbang.CountAsync("select daily_cashout_limit from merchants where id = $1", merchant.Id));
    }
}

using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Disbursements;

public sealed class FreePayoutsFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:Fees:Disbursement"] = "0";
}

public sealed class DisbursementTests(FreePayoutsFixture gerbang) : IClassFixture<FreePayoutsFixture>
{
    /// <summary>A merchant whose available balance is exactly <paramref name="balance"/>, with a verified primary account.</summary>
    private async Task<(TestMerchant Merchant, string BankAccount)> FundedAsync(long balance)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-FUND", balance));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" });
        using var ops = await gerbang.AsRoleAsync("ops");
        var (verified, body, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "statement checked" });
        Assert.Equal(200, verified);
        Assert.Equal("verified", body.Str("status"));
        return (merchant, account.Str("id"));
    }

    private static async Task<(long Available, long Reserved)> BalanceAsync(TestMerchant merchant)
    {
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        return (balance.GetProperty("available")[0].Long("amount"), balance.GetProperty("reserved")[0].Long("amount"));
    }

    private Task<string> WaitForStatusAsync(TestMerchant merchant, string id, params string[] statuses) =>
        gerbang.DriveUntilAsync(merchant, $"/v1/disbursements/{id}", statuses);

    [Fact]
    public async Task A_payout_reserves_at_once_posts_on_success_and_releases_on_failure()
    {
        var (merchant, account) = await FundedAsync(100_000);
        var (status, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 40_000, currency = "IDR", description = "weekly" });
        Assert.Equal(201, status);
        Assert.Equal("pending", payout.Str("status"));
        Assert.Equal(account, payout.Str("bank_account"));
        Assert.Equal((60_000L - 700, 40_000L), await BalanceAsync(merchant));

        await WaitForStatusAsync(merchant, payout.Str("id"), "processing");
        var (succeeded, done, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{payout.Str("id")}/succeed", null);
        Assert.Equal(200, succeeded);
        Assert.Equal("succeeded", done.Str("status"));
        Assert.Equal((60_000L - 700, 0L), await BalanceAsync(merchant));

        // Its notification again changes nothing.
        var sent = gerbang.App.Services.GetRequiredService<Gerbang.Simulators.Generic.GenericNotifier>().Sent.Last();
        using (var content = new StringContent(sent.Body, System.Text.Encoding.UTF8, "application/json"))
        using (var again = new HttpRequestMessage(HttpMethod.Post, "/webhooks/simulator/payouts") { Content = content })
        {
            again.Headers.TryAddWithoutValidation("Simulator-Signature", sent.Signature);
            Assert.Equal(200, (int)(await gerbang.Http.SendAsync(again)).StatusCode);
        }

        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"disbursement:{payout.Str("id")}:%posted"));

        var (_, second, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 10_000, currency = "IDR" });
        await WaitForStatusAsync(merchant, second.Str("id"), "processing");
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{second.Str("id")}/fail", null);
        Assert.Equal("failed", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{second.Str("id")}")).Body.Str("status"));
        Assert.Equal((60_000L - 700, 0L), await BalanceAsync(merchant));
        var types = (await merchant.Client.GetJsonAsync("/v1/balance_transactions?limit=100")).Body.GetProperty("data").EnumerateArray().Select(t => t.Str("type")).ToList();
        Assert.Contains("disbursement", types);
        Assert.Contains("disbursement_reversal", types);
    }

    [Fact]
    public async Task Fifty_concurrent_payouts_of_10_from_a_balance_of_100_take_exactly_ten_round_after_round()
    {
        for (var round = 0; round < 4; round++)
        {
            var (merchant, _) = await FundedAsync(100);
            Assert.Equal((100L, 0L), await BalanceAsync(merchant));
            using var start = new ManualResetEventSlim();
            var racing = true;
            var lowest = long.MaxValue;
            var reader = Task.Run(async () =>
            {
                while (Volatile.Read(ref racing))
                {
                    lowest = Math.Min(lowest, (await BalanceAsync(merchant)).Available);
                }
            });
            var payouts = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 10, currency = "IDR" });
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(payouts);
            Volatile.Write(ref racing, false);
            await reader;

            Assert.Equal(10, results.Count(r => r.Status == 201));
            Assert.All(results.Where(r => r.Status != 201), r => Assert.Equal("insufficient_balance", r.Body.Str("code")));
            Assert.True(lowest >= 0, $"available read {lowest} in round {round}");
            Assert.Equal((0L, 100L), await BalanceAsync(merchant));
        }

        Assert.Equal(0, await gerbang.CountAsync("select coalesce(sum(amount), 0) from ledger_postings"));
    }

    [Fact]
    public async Task At_most_three_bank_accounts_even_when_created_at_once_and_payouts_need_a_verified_one()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var created = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bni", account_number = $"99887766{i:D2}", account_holder_name = "Budi" }))));
        Assert.Equal(3, created.Count(c => c.Status == 201));
        Assert.All(created.Where(c => c.Status != 201), c => Assert.Equal("bank_account_limit", c.Body.Str("code")));
        var (_, list) = await merchant.Client.GetJsonAsync("/v1/bank_accounts");
        var accounts = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(3, accounts.Count);
        Assert.Single(accounts, a => a.GetProperty("primary").GetBoolean());
        Assert.All(accounts, a => Assert.Equal(4, a.Str("account_number_last4").Length));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from bank_accounts where merchant_id = $1 and account_number_sealed::text like '%99887766%'", merchant.Id));

        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 10, currency = "IDR" });
        Assert.Equal(422, status);
        Assert.Equal("bank_account_not_verified", problem.Str("code"));

        var other = accounts.First(a => !a.GetProperty("primary").GetBoolean()).Str("id");
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/bank_accounts/{other}/make_primary", null)).Status);
        Assert.Equal(other, (await merchant.Client.GetJsonAsync("/v1/bank_accounts")).Body.GetProperty("data").EnumerateArray().Single(a => a.GetProperty("primary").GetBoolean()).Str("id"));
        Assert.Equal(200, (int)(await merchant.Client.DeleteAsync($"/v1/bank_accounts/{other}")).StatusCode);
        Assert.Equal(201, (await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bri", account_number = "5556667778", account_holder_name = "Budi" })).Status);
    }

    [Fact]
    public async Task The_daily_cash_out_limit_set_by_finance_is_enforced()
    {
        var (merchant, _) = await FundedAsync(10_000);
        using var finance = await gerbang.AsRoleAsync("finance");
        using var limit = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/merchants/{merchant.Id}/limits") { Content = new StringContent("""{"daily_cashout_limit":5000,"reason":"new merchant"}""", System.Text.Encoding.UTF8, "application/json") };
        Assert.Equal(200, (int)(await finance.SendAsync(limit)).StatusCode);

        Assert.Equal("cashout_limit_exceeded", (await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 6000, currency = "IDR" })).Body.Str("code"));
        Assert.Equal(201, (await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 4000, currency = "IDR" })).Status);
        Assert.Equal(422, (await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 2000, currency = "IDR" })).Status);
        Assert.Contains((await gerbang.AuditAsync("merchant.limits_changed")).EnumerateArray(), a => a.Str("target_id") == merchant.Id && a.Str("actor_role") == "finance");
    }
}

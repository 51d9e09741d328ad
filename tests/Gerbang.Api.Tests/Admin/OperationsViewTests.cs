using System.Net.Http.Headers;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Admin;

public sealed class OperationsViewTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task Operators_see_payments_and_events_across_merchants_and_finance_sees_the_balanced_ledger()
    {
        var a = await gerbang.NewMerchantAsync("A");
        var b = await gerbang.NewMerchantAsync("B");
        var (_, pa, _) = await a.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-OPS-A"));
        var (_, pb, _) = await b.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-OPS-B"));
        await a.Client.PostJsonAsync($"/v1/test_helpers/payments/{pa.Str("id")}/pay", null);

        using var ops = await gerbang.AsRoleAsync("ops");
        var (_, all) = await ops.GetJsonAsync("/admin/v1/payments?limit=100");
        var ids = all.GetProperty("data").EnumerateArray().Select(p => p.Str("id")).ToList();
        Assert.Contains(pa.Str("id"), ids);
        Assert.Contains(pb.Str("id"), ids);
        var (_, onlyB) = await ops.GetJsonAsync($"/admin/v1/payments?merchant={b.Id}");
        Assert.Equal(pb.Str("id"), Assert.Single(onlyB.GetProperty("data").EnumerateArray()).Str("id"));
        var (_, paidOnly) = await ops.GetJsonAsync("/admin/v1/payments?status=paid&livemode=false");
        Assert.All(paidOnly.GetProperty("data").EnumerateArray(), p => Assert.Equal("paid", p.Str("status")));
        var (_, events) = await ops.GetJsonAsync($"/admin/v1/events?merchant={a.Id}&type=payment.paid");
        Assert.Single(events.GetProperty("data").EnumerateArray());
        Assert.Equal(403, (await ops.GetJsonAsync("/admin/v1/ledger/entries")).Status);

        using var finance = await gerbang.AsRoleAsync("finance");
        var (_, entries) = await finance.GetJsonAsync($"/admin/v1/ledger/entries?reference=payment:{pa.Str("id")}");
        var entry = Assert.Single(entries.GetProperty("data").EnumerateArray());
        var postings = entry.GetProperty("postings").EnumerateArray().ToList();
        Assert.Equal(0, postings.Sum(p => p.Long("amount")));
        Assert.Contains(postings, p => p.Str("account_kind") == "merchant_available" && p.Str("owner") == a.Id);
        var (_, accounts) = await finance.GetJsonAsync($"/admin/v1/ledger/accounts?owner={a.Id}");
        var available = Assert.Single(accounts.GetProperty("data").EnumerateArray(), x => x.Str("kind") == "merchant_available");
        Assert.Equal(50_000 - 350, available.Long("balance"));
    }

    [Fact]
    public async Task Test_and_live_objects_never_see_each_other()
    {
        var test = await gerbang.NewMerchantAsync();
        var live = await gerbang.NewLiveMerchantAsync();

        var (_, p, _) = await test.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-MODE"));
        var (_, liveTestPayments) = await live.Client.GetJsonAsync("/v1/payments");
        Assert.Empty(liveTestPayments.GetProperty("data").EnumerateArray());
        Assert.Equal(404, (await live.Client.GetJsonAsync($"/v1/payments/{p.Str("id")}")).Status);

        // Within one merchant: its live key does not see its test objects, and test helpers do not exist for live keys.
        var merchant = await gerbang.NewMerchantAsync("Both modes");
        using var root = await gerbang.AsRoleAsync("super_admin");
        var (_, approved, _) = await root.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "both modes" });
        using var liveClient = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        liveClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", approved.Str("live_secret_key"));
        var (_, testPayment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-BOTH"));
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/h", enabled_events = new[] { "*" } });
        Assert.Equal(404, (await liveClient.GetJsonAsync($"/v1/payments/{testPayment.Str("id")}")).Status);
        Assert.Empty((await liveClient.GetJsonAsync("/v1/payments")).Body.GetProperty("data").EnumerateArray());
        Assert.Empty((await liveClient.GetJsonAsync("/v1/events")).Body.GetProperty("data").EnumerateArray());
        Assert.Empty((await liveClient.GetJsonAsync("/v1/webhook_endpoints")).Body.GetProperty("data").EnumerateArray());
        Assert.Equal(404, (await liveClient.PostJsonAsync($"/v1/test_helpers/payments/{testPayment.Str("id")}/pay", null)).Status);
        var (_, liveBalance) = await liveClient.GetJsonAsync("/v1/balance");
        Assert.True(liveBalance.GetProperty("livemode").GetBoolean());

        // A live payment has no provider to go to yet in this installation, and says so rather than reaching a simulator.
        var (status, problem, _) = await liveClient.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-LIVE"));
        Assert.Equal(422, status);
        Assert.Equal("no_provider_available", problem.Str("code"));
    }

    [Fact]
    public async Task Finance_sees_what_providers_hold_and_corrects_it_with_a_reason()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-PB", 20_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        using var finance = await gerbang.AsRoleAsync("finance");
        var (_, balances) = await finance.GetJsonAsync("/admin/v1/provider_balances");
        var before = Assert.Single(balances.GetProperty("data").EnumerateArray(), b => b.Str("provider") == "simulator" && !b.GetProperty("livemode").GetBoolean());
        Assert.True(before.Long("balance") >= 20_000);

        Assert.Equal(400, (await finance.PostJsonAsync("/admin/v1/provider_balances/adjustments", new { provider = "simulator", currency = "IDR", amount = -500 })).Status);
        var (status, after, _) = await finance.PostJsonAsync("/admin/v1/provider_balances/adjustments", new { provider = "simulator", currency = "IDR", amount = -500, reason = "bank statement shows 500 less" });
        Assert.Equal(201, status);
        Assert.Equal(before.Long("balance") - 500, after.Long("balance"));
        Assert.Equal(0, await gerbang.CountAsync("select coalesce(sum(amount), 0) from ledger_postings"));
        Assert.Contains((await gerbang.AuditAsync("provider_balance.adjusted")).EnumerateArray(), a => a.Str("reason") == "bank statement shows 500 less");
        using var ops = await gerbang.AsRoleAsync("ops");
        Assert.Equal(403, (await ops.PostJsonAsync("/admin/v1/provider_balances/adjustments", new { provider = "simulator", currency = "IDR", amount = 1, reason = "not mine" })).Status);
    }
}

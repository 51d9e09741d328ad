using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Refunds;

public sealed class RefundTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private JobWorker Jobs => gerbang.App.Services.GetRequiredService<JobWorker>();

    private async Task<string> PaidQrisAsync(TestMerchant merchant, string order, long amount)
    {
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment(order, amount));
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        return payment.Str("id");
    }

    private async Task<long> AvailableAsync(TestMerchant merchant) =>
        (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount");

    private Task<string> WaitForRefundStatusAsync(TestMerchant merchant, string refundId, string status) =>
        gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refundId}", status);

    [Fact]
    public async Task A_partial_refund_debits_the_balance_at_once_and_succeeds_at_the_provider()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var paymentId = await PaidQrisAsync(merchant, "ORDER-RF-1", 50_000);
        Assert.Equal(50_000 - 350, await AvailableAsync(merchant));

        var (status, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 20_000, reason = "customer returned one item" });
        Assert.Equal(201, status);
        Assert.Equal("pending", refund.Str("status"));
        Assert.Equal(paymentId, refund.Str("payment"));
        Assert.Equal(50_000 - 350 - 20_000, await AvailableAsync(merchant));
        Assert.Equal(20_000, (await merchant.Client.GetJsonAsync($"/v1/payments/{paymentId}")).Body.Long("amount_refunded"));

        await WaitForRefundStatusAsync(merchant, refund.Str("id"), "succeeded");
        Assert.Equal(50_000 - 350 - 20_000, await AvailableAsync(merchant));
        var types = (await merchant.Client.GetJsonAsync("/v1/events?limit=20")).Body.GetProperty("data").EnumerateArray().Select(e => e.Str("type")).ToList();
        Assert.Contains("refund.created", types);
        Assert.Contains("refund.succeeded", types);
        var (_, list) = await merchant.Client.GetJsonAsync($"/v1/refunds?payment={paymentId}");
        Assert.Single(list.GetProperty("data").EnumerateArray());
        var (_, transactions) = await merchant.Client.GetJsonAsync("/v1/balance_transactions?type=refund");
        Assert.Equal(-20_000, Assert.Single(transactions.GetProperty("data").EnumerateArray()).Long("amount"));
    }

    [Fact]
    public async Task VA_payments_cannot_be_refunded_and_unpaid_ones_neither()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, va, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RF-VA"));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{va.Str("id")}/pay", null);
        var (status, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{va.Str("id")}/refunds", null);
        Assert.Equal(422, status);
        Assert.Equal("refund_not_supported", problem.Str("code"));

        var (_, pending, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-RF-PENDING"));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{pending.Str("id")}/refunds", null)).Status);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from refunds where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Thirty_concurrent_refunds_of_100_on_a_payment_of_1000_accept_exactly_ten()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await PaidQrisAsync(merchant, "ORDER-RF-FLOAT", 100_000);
        var paymentId = await PaidQrisAsync(merchant, "ORDER-RF-RACE", 1_000);
        var before = await AvailableAsync(merchant);
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 30).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 100 });
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(10, results.Count(r => r.Status == 201));
        Assert.All(results.Where(r => r.Status != 201), r => Assert.Equal("refund_exceeds_payment", r.Body.Str("code")));
        Assert.Equal(1_000, (await merchant.Client.GetJsonAsync($"/v1/payments/{paymentId}")).Body.Long("amount_refunded"));
        Assert.Equal(before - 1_000, await AvailableAsync(merchant));
    }

    [Fact]
    public async Task A_refund_the_provider_refuses_fails_and_gives_the_money_back()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var paymentId = await PaidQrisAsync(merchant, "ORDER-RF-DECLINE", 30_000);
        var reference = (await merchant.Client.GetJsonAsync($"/v1/payments/{paymentId}")).Body.Str("provider_reference");
        gerbang.Simulator.Payments[reference].Status = "settled_elsewhere";
        var before = await AvailableAsync(merchant);

        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 20_000 });

        // Debited at creation (the background worker may already have failed it and given it back).
        var (_, debit) = await merchant.Client.GetJsonAsync("/v1/balance_transactions?type=refund");
        Assert.Equal(-20_000, Assert.Single(debit.GetProperty("data").EnumerateArray()).Long("amount"));
        await WaitForRefundStatusAsync(merchant, refund.Str("id"), "failed");
        Assert.Equal(before, await AvailableAsync(merchant));
        Assert.Equal(0, (await merchant.Client.GetJsonAsync($"/v1/payments/{paymentId}")).Body.Long("amount_refunded"));
        var (_, reversal) = await merchant.Client.GetJsonAsync("/v1/balance_transactions?type=refund_reversal");
        Assert.Equal(20_000, Assert.Single(reversal.GetProperty("data").EnumerateArray()).Long("amount"));

        // More than the balance holds (the fee was kept) is refused before anything is written.
        var (tooMuch, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", null);
        Assert.Equal(422, tooMuch);
        Assert.Equal("insufficient_balance", problem.Str("code"));
    }

    [Fact]
    public async Task A_provider_outage_leaves_the_refund_pending_and_it_is_retried()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var paymentId = await PaidQrisAsync(merchant, "ORDER-RF-OUTAGE", 30_000);
        gerbang.Simulator.Knobs.Down = true;
        string refundId;
        try
        {
            var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 10_000 });
            refundId = refund.Str("id");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await gerbang.CountAsync("select count(*) from jobs where payload->>'refund' = $1 and attempts >= 1 and last_error is not null", refundId) == 0)
            {
                await Jobs.ProcessBatchAsync();
                Assert.True(DateTime.UtcNow < deadline, "the job never ran");
                await Task.Delay(20);
            }

            Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/refunds/{refundId}")).Body.Str("status"));
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        gerbang.Clock.Advance(TimeSpan.FromMinutes(1));
        await WaitForRefundStatusAsync(merchant, refundId, "succeeded");
        Assert.Equal(1, gerbang.Simulator.Refunds.Values.Count(r => r.Reference == refundId));
    }

    [Fact]
    public async Task Operators_see_refunds_across_merchants_and_the_job_queues()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var paymentId = await PaidQrisAsync(merchant, "ORDER-RF-OPS", 40_000);
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{paymentId}/refunds", new { amount = 1_000 });
        using var ops = await gerbang.AsRoleAsync("ops");
        var (jobsStatus, jobs) = await ops.GetJsonAsync("/admin/v1/jobs");
        Assert.True(jobsStatus == 200, jobs.ToString());
        // The refund's job waits, runs or is done by now, depending on the worker: it is counted in one of them.
        Assert.True(jobs.Long("pending") + jobs.Long("running") + jobs.GetProperty("queues").EnumerateArray().Sum(q => q.Long("succeeded")) >= 1);
        await WaitForRefundStatusAsync(merchant, refund.Str("id"), "succeeded");
        var (_, refunds) = await ops.GetJsonAsync($"/admin/v1/refunds?merchant={merchant.Id}");
        Assert.Equal(refund.Str("id"), Assert.Single(refunds.GetProperty("data").EnumerateArray()).Str("id"));
        var (_, after) = await ops.GetJsonAsync("/admin/v1/jobs");
        var queue = Assert.Single(after.GetProperty("queues").EnumerateArray(), q => q.Str("kind") == "refund");
        Assert.True(queue.Long("succeeded") >= 1);
        Assert.Equal(0, after.Long("failed"));
    }
}

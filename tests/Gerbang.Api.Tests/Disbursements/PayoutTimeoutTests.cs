using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Generic;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Disbursements;

public sealed class ImpatientProviderFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Gerbang:Fees:Disbursement"] = "0";
        settings["Providers:Simulator:Timeout"] = "00:00:01";
    }
}

public sealed class PayoutTimeoutTests(ImpatientProviderFixture gerbang) : IClassFixture<ImpatientProviderFixture>
{
    [Fact]
    public async Task A_payout_that_timed_out_and_then_succeeded_is_paid_once_and_posted_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-PT-FUND", 50_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "mandiri", account_number = "1400012345678", account_holder_name = "Sari" });
        using var ops = await gerbang.AsRoleAsync("ops");
        await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "checked" });
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();

        // The provider pays out but answers after our timeout: the outcome is unknown to Gerbang.
        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 30_000, currency = "IDR" });
        var id = payout.Str("id");
        try
        {
            // Whichever worker runs the job (this test or the background one), wait for its timed-out attempt.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await gerbang.CountAsync("select count(*) from jobs where payload->>'disbursement' = $1 and last_error is not null", id) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the payout job never timed out");
                await jobs.ProcessBatchAsync();
                await Task.Delay(50);
            }
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        Assert.Single(gerbang.Simulator.Payouts.Values, p => p.Reference == id);
        // Its outcome unknown, the payout is processing and its reservation held.
        var (_, pending) = await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}");
        Assert.Equal("processing", pending.Str("status"));
        var (_, reservedBalance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(30_000, reservedBalance.GetProperty("reserved")[0].Long("amount"));

        // The bank finishes it and the provider's notification arrives late: posted once.
        var notifier = gerbang.App.Services.GetRequiredService<GenericNotifier>();
        var simulated = gerbang.Simulator.Payouts[id];
        simulated.Status = "succeeded";
        await notifier.SendAsync(simulated.NotifyUrl, "payout.succeeded", new SimNotificationData("payout", simulated.Id, simulated.Reference, "succeeded", simulated.Amount, 0, simulated.Currency), CancellationToken.None);
        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status"));

        // The job's retry sends the same reference again, finds the same payout, and changes nothing.
        gerbang.Clock.Advance(TimeSpan.FromMinutes(5));
        await jobs.ProcessBatchAsync();
        Assert.Single(gerbang.Simulator.Payouts.Values, p => p.Reference == id);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"disbursement:{id}:posted"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"disbursement:{id}:released"));
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(0, balance.GetProperty("reserved")[0].Long("amount"));
        Assert.Equal(50_000 - 350 - 30_000, balance.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_refused_repeat_after_an_unknown_outcome_keeps_the_payout_processing_in_doubt_until_the_provider_confirms()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-PT-DOUBT", 50_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bni", account_number = "0098765432", account_holder_name = "Sari" });
        using var ops = await gerbang.AsRoleAsync("ops");
        await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "checked" });
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        using var simulator = new SimulatorControl(gerbang, "simulator");

        // The provider takes the payout but its answer comes after Gerbang's timeout.
        await simulator.KnobsAsync(new { answer_delay_ms = 2_000 });
        var (_, payout, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount = 20_000, currency = "IDR" });
        var id = payout.Str("id");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await gerbang.CountAsync("select count(*) from jobs where payload->>'disbursement' = $1 and last_error is not null", id) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the payout job never timed out");
                await jobs.ProcessBatchAsync();
                await Task.Delay(50);
            }
        }
        finally
        {
            await simulator.KnobsAsync(new { answer_delay_ms = 0, refuse_repeated_payouts = true });
        }

        try
        {
            // The repeat is refused ("in progress"): that proves nothing, so nothing is released.
            for (var i = 0; i < 3; i++)
            {
                gerbang.Clock.Advance(TimeSpan.FromMinutes(10));
                await jobs.ProcessBatchAsync();
                using var finance = await gerbang.AsRoleAsync("finance");
                await finance.PostJsonAsync("/admin/v1/reconciliation/runs", new { reason = "payout in doubt" });
            }

            var (_, still) = await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}");
            Assert.Equal("processing", still.Str("status"));
            Assert.Equal(0, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"disbursement:{id}:released"));
            Assert.Equal(20_000, (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("reserved")[0].Long("amount"));

            // Past the configured time, operators see it in doubt.
            gerbang.Clock.Advance(TimeSpan.FromHours(1));
            using var operators = await gerbang.AsRoleAsync("ops");
            var (listed, doubtful) = await operators.GetJsonAsync($"/admin/v1/disbursements?in_doubt=true&merchant={merchant.Id}");
            Assert.Equal(200, listed);
            var shown = Assert.Single(doubtful.GetProperty("data").EnumerateArray());
            Assert.Equal(id, shown.Str("id"));
            Assert.True(shown.GetProperty("in_doubt").GetBoolean());
            Assert.Equal(400, (await operators.GetJsonAsync("/admin/v1/disbursements?in_doubt=maybe")).Status);

            // The bank finishes it; the provider's word settles it, once.
            Assert.Equal(200, await simulator.PostAsync($"payouts/{id}/succeed"));
        }
        finally
        {
            await simulator.KnobsAsync(new { reset = true });
        }

        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"disbursement:{id}:posted"));
        Assert.Equal(0, (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("reserved")[0].Long("amount"));
        using var later = await gerbang.AsRoleAsync("ops");
        Assert.Empty((await later.GetJsonAsync($"/admin/v1/disbursements?in_doubt=true&merchant={merchant.Id}")).Body.GetProperty("data").EnumerateArray());
    }
}

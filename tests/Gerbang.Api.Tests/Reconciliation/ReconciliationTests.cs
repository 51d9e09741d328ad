using System.Text.Json;
using Gerbang.Api.Jobs;
using Gerbang.Api.Reconciliation;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Reconciliation;

/// <summary>Gerbang whose simulator provider gives up after one second, so a two-second answer is never heard.</summary>
public sealed class ImpatientGerbangFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Providers:Simulator:Timeout"] = "00:00:01";
}

/// <summary>
/// What Gerbang does when a provider acted but the answer or the notification never came, or came
/// early, twice or out of order: the simulator's knobs make it so, the reconciliation pass settles it.
/// </summary>
public sealed class ReconciliationTests(ImpatientGerbangFixture gerbang) : IClassFixture<ImpatientGerbangFixture>
{
    private Task<long> Entries(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    private async Task<JsonElement> RunAsync(string role = "finance")
    {
        var client = await gerbang.AsRoleAsync(role);
        var (status, report, _) = await client.PostJsonAsync("/admin/v1/reconciliation/runs", new { reason = "checking after an outage" });
        Assert.True(status == 201, report.ToString());
        Assert.Equal("reconciliation_run", report.Str("object"));
        return report;
    }

    [Fact]
    public async Task A_capture_charged_but_never_answered_nor_notified_ends_paid_after_reconciliation_with_one_posting()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-REC-CAPTURE", 100_000, provider: "simulator"));
        var id = payment.Str("id");
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null)).Status);

        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        gerbang.Simulator.Knobs.DropNotifications = true;
        int status;
        try
        {
            (status, _, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = 70_000 });
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        Assert.Equal(504, status);
        Assert.Equal("paid", gerbang.Simulator.Payments[payment.Str("provider_reference")].Status); // the provider did capture
        Assert.Equal("requires_capture", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(0, await Entries(id));

        gerbang.Clock.Advance(TimeSpan.FromMinutes(2));
        var report = await RunAsync();
        Assert.Contains(report.GetProperty("uncredited").EnumerateArray(), f => f.Str("id") == id && f.Str("action") == "credited" && f.Long("amount") == 70_000);
        var (_, paid) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(70_000, paid.Long("amount_captured"));
        Assert.Equal(1, await Entries(id));

        // A second pass (and the provider's late copy, had it come) changes nothing.
        var again = await RunAsync("ops");
        Assert.DoesNotContain(again.GetProperty("differences").EnumerateArray(), f => f.Str("id") == id);
        Assert.Equal(1, await Entries(id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.paid'", id));
    }

    [Fact]
    public async Task A_cancel_whose_answer_never_came_is_settled_by_the_provider_s_word()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 50_000, currency = "IDR", method = "va", bank = "bni", order_id = "ORDER-REC-CANCEL", provider = "simulator" });
        var id = payment.Str("id");
        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        int status;
        try
        {
            (status, _, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/cancel", null);
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        Assert.Equal(504, status);
        Assert.Equal("cancelling", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));

        gerbang.Clock.Advance(TimeSpan.FromMinutes(2));
        var report = await RunAsync();
        Assert.Contains(report.GetProperty("differences").EnumerateArray(), f => f.Str("id") == id && f.Str("action") == "cancelled");
        Assert.Equal("cancelled", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.cancelled'", id));
    }

    [Fact]
    public async Task Money_taken_without_a_notification_is_found_by_a_full_run_before_expiry()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 30_000, currency = "IDR", method = "qris", order_id = "ORDER-REC-SILENT", provider = "simulator" });
        var id = payment.Str("id");
        gerbang.Simulator.Knobs.DropNotifications = true;
        try
        {
            await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        var report = await RunAsync("super_admin");
        Assert.Contains(report.GetProperty("uncredited").EnumerateArray(), f => f.Str("id") == id && f.Long("amount") == 30_000);
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(1, await Entries(id));
        Assert.Single((await gerbang.AuditAsync("reconciliation.run")).EnumerateArray(), a => a.GetProperty("target_id").GetString() == report.Str("id"));
    }

    [Fact]
    public async Task A_notification_sent_before_the_create_answer_is_applied_once_the_payment_exists()
    {
        var merchant = await gerbang.NewMerchantAsync();
        gerbang.Simulator.Knobs.NotifyBeforeResponse = true;
        (int Status, JsonElement Body, HttpResponseMessage Response) created;
        try
        {
            created = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 45_000, currency = "IDR", method = "va", bank = "bri", order_id = "ORDER-REC-EARLY", provider = "simulator" });
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        Assert.Equal(201, created.Status);
        var id = created.Body.Str("id");
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(1, await Entries(id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from provider_notifications where payment_id = $1 and status = 'applied'", id));
    }

    [Fact]
    public async Task Duplicated_and_out_of_order_notifications_leave_the_payment_paid_with_one_entry()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 20_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-REC-DISORDER", provider = "simulator" });
        var id = payment.Str("id");
        var sentBefore = gerbang.Notifier.Sent.Count;
        gerbang.Simulator.Knobs.DuplicateNotifications = true;
        gerbang.Simulator.Knobs.OutOfOrderNotifications = true;
        try
        {
            Assert.Equal("paid", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null)).Body.Str("status"));
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }

        var sent = gerbang.Notifier.Sent.Skip(sentBefore).Where(n => n.Body.Contains(payment.Str("provider_reference"), StringComparison.Ordinal)).ToList();
        Assert.Equal(3, sent.Count); // paid, the same paid again, then a stale pending
        Assert.All(sent, n => Assert.Equal(200, n.ReceiverStatus));
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body.Str("status"));
        Assert.Equal(1, await Entries(id));
    }

    [Fact]
    public async Task The_periodic_pass_is_queued_only_when_none_is_waiting_and_runs_on_the_job_queue()
    {
        var scheduler = gerbang.App.Services.GetRequiredService<ReconciliationScheduler>();
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();

        // A pass waiting for later (as after a failed try's backoff) keeps another from being queued.
        await using (var cmd = gerbang.Db.CreateCommand("""
            insert into jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
            values ('job_waiting_pass', 'reconciliation', '{}', 'pending', 1, 8, now() + interval '1 day', now(), now())
            """))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        Assert.False(await scheduler.EnqueueAsync(CancellationToken.None));
        await using (var cmd = gerbang.Db.CreateCommand("delete from jobs where id = 'job_waiting_pass'"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        // Once nothing waits (a pass queued by the timer or retrying may still be running), one is queued.
        var succeededBefore = await gerbang.CountAsync("select count(*) from jobs where kind = 'reconciliation' and status = 'succeeded'");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await scheduler.EnqueueAsync(CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline, "a reconciliation job stayed pending");
            await using (var cmd = gerbang.Db.CreateCommand("update jobs set run_at = now() - interval '1 day', locked_until = null where kind = 'reconciliation' and status = 'pending'"))
            {
                await cmd.ExecuteNonQueryAsync();
            }

            await jobs.ProcessBatchAsync();
            succeededBefore = await gerbang.CountAsync("select count(*) from jobs where kind = 'reconciliation' and status = 'succeeded'");
        }

        while (await gerbang.CountAsync("select count(*) from jobs where kind = 'reconciliation' and status = 'succeeded'") == succeededBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "the reconciliation job never ran");
            await jobs.ProcessBatchAsync();
            await Task.Delay(50);
        }
    }
}

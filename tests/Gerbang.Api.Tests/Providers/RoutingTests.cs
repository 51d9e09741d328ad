using System.Text.Json;
using Gerbang.Api.Jobs;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Providers;

/// <summary>Breakers that open after three calls, and a simulator adapter that gives up after a second.</summary>
public sealed class RoutingFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Gerbang:Routing:BreakerMinimumThroughput"] = "3";
        settings["Gerbang:Routing:BreakDuration"] = "00:00:30";
        settings["Providers:Simulator:Timeout"] = "00:00:01";
    }
}

/// <summary>
/// Routing and failover through the public API: the simulator is the first choice in test mode, and
/// when it fails the payment lands on Midtrans or Xendit through their real adapters and simulators.
/// Each test uses its own bank so that the lanes' health does not mix.
/// </summary>
public sealed class RoutingTests(RoutingFixture gerbang) : IClassFixture<RoutingFixture>
{
    private async Task<List<(string Provider, string Status, string? Code, string? Reference)>> AttemptsAsync(string paymentId)
    {
        await using var cmd = gerbang.Db.CreateCommand("select provider, status, failure_code, provider_reference from payment_attempts where payment_id = $1 order by created_at, status desc");
        cmd.Parameters.Add(new() { Value = paymentId });
        var rows = new List<(string, string, string?, string?)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return rows;
    }

    private async Task<JsonElement> LaneAsync(string provider, string method, string? bank)
    {
        var admin = await gerbang.AsRoleAsync("ops");
        var (status, list) = await admin.GetJsonAsync("/admin/v1/providers");
        Assert.Equal(200, status);
        var view = list.GetProperty("data").EnumerateArray().Single(p => p.Str("name") == provider);
        return view.GetProperty("health").EnumerateArray().Single(l => l.Str("method") == method && (bank is null ? l.GetProperty("bank").ValueKind == JsonValueKind.Null : l.Str("bank") == bank));
    }

    [Fact]
    public async Task Without_a_pin_a_test_payment_goes_to_the_simulator_first()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RT-1", bank: "cimb"));
        Assert.Equal(201, status);
        Assert.Equal("simulator", payment.Str("provider"));
        Assert.Equal([("simulator", "issued", (string?)null, payment.Str("provider_reference"))], await AttemptsAsync(payment.Str("id")));
    }

    [Fact]
    public async Task A_provider_answering_5xx_is_passed_over_within_the_request_with_one_payment_id()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var issuedBefore = gerbang.Simulator.Payments.Count;
        gerbang.Simulator.Knobs.Down = true;
        try
        {
            var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RT-5XX", bank: "bni"));
            Assert.True(status == 201, payment.ToString());
            Assert.Contains(payment.Str("provider"), new[] { "midtrans", "xendit", "ipaymu", "doku" });
            var attempts = await AttemptsAsync(payment.Str("id"));
            Assert.Equal(2, attempts.Count);
            Assert.Equal(("simulator", "failed", "provider_error", null), attempts[0]);
            Assert.Equal((payment.Str("provider"), "issued"), (attempts[1].Provider, attempts[1].Status));
            Assert.Equal(issuedBefore, gerbang.Simulator.Payments.Count); // nothing was issued where the call failed

            gerbang.Simulator.Knobs.Reset();
            var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
            Assert.Equal("paid", paid.Str("status"));
            Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{payment.Str("id")}:%"));
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_outages_keeps_the_provider_out_and_closes_after_a_good_trial()
    {
        var merchant = await gerbang.NewMerchantAsync();
        gerbang.Simulator.Knobs.Down = true;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment($"ORDER-RT-CB-{i}", bank: "bri"));
                Assert.Equal(201, status);
                Assert.Equal("simulator", (await AttemptsAsync(payment.Str("id")))[0].Provider);
            }

            var lane = await LaneAsync("simulator", "va", "bri");
            Assert.Equal("open", lane.Str("circuit"));
            Assert.Equal(0.0, lane.GetProperty("success_rate").GetDouble());

            // Open: the simulator is not even called.
            var calls = gerbang.Simulator.CreateCalls;
            var (_, skipped, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RT-CB-OPEN", bank: "bri"));
            Assert.NotEqual("simulator", skipped.Str("provider"));
            Assert.DoesNotContain(await AttemptsAsync(skipped.Str("id")), a => a.Provider == "simulator");
            Assert.Equal(calls, gerbang.Simulator.CreateCalls);

            // After the break, one trial call goes through; the provider has recovered, so the circuit closes.
            gerbang.Simulator.Knobs.Reset();
            gerbang.Clock.Advance(TimeSpan.FromSeconds(31));
            var (_, trial, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RT-CB-TRIAL", bank: "bri"));
            Assert.Equal("simulator", trial.Str("provider"));
            Assert.Equal("closed", (await LaneAsync("simulator", "va", "bri")).Str("circuit"));
        }
        finally
        {
            gerbang.Simulator.Knobs.Reset();
        }
    }

    [Fact]
    public async Task A_timeout_after_sending_moves_on_and_the_unknown_instrument_is_withdrawn_and_its_money_never_lost()
    {
        var merchant = await gerbang.NewMerchantAsync();
        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-RT-TIMEOUT"));
        gerbang.Simulator.Knobs.Reset();
        Assert.True(status == 201, payment.ToString());
        Assert.NotEqual("simulator", payment.Str("provider"));
        var attempts = await AttemptsAsync(payment.Str("id"));
        Assert.Equal(("simulator", "provider_timeout"), (attempts[0].Provider, attempts[0].Code));
        Assert.Contains(attempts[0].Status, new[] { "unknown", "superseded" }); // the background withdrawal may already have run

        // The simulator did issue it (it only answered late): the withdrawal finds it by the attempt id and cancels it.
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await AttemptsAsync(payment.Str("id")))[0].Status == "unknown")
        {
            Assert.True(DateTime.UtcNow < deadline, "the unknown attempt was never withdrawn");
            await jobs.ProcessBatchAsync();
            await gerbang.AdvanceToNextJobAsync(); // a withdrawal that found nothing yet retries after its backoff
            await Task.Delay(30);
        }

        var withdrawn = (await AttemptsAsync(payment.Str("id")))[0];
        Assert.Equal("superseded", withdrawn.Status);
        Assert.Equal("cancelled", gerbang.Simulator.Payments[withdrawn.Reference!].Status);
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }
    [Fact]
    public async Task A_card_try_with_an_unknown_outcome_is_asked_again_and_no_other_provider_is_tried()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var stripe = gerbang.App.Services.GetRequiredService<Gerbang.Simulators.Stripe.StripeSimulatorState>();
        var sessionsBefore = stripe.SessionCreates;
        var callsBefore = gerbang.Simulator.CreateCalls;
        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-RT-CARD-UNKNOWN", 60_000));
        gerbang.Simulator.Knobs.Reset();
        Assert.Equal(504, status);
        Assert.Equal("provider_timeout", problem.Str("code"));

        // Stripe could take this card payment, but was never asked; the simulator was asked again (and then by
        // the withdrawal) about one attempt, and issued one card page.
        Assert.Equal(sessionsBefore, stripe.SessionCreates);
        Assert.True(gerbang.Simulator.CreateCalls >= callsBefore + 2, $"{gerbang.Simulator.CreateCalls - callsBefore} create calls");
        var issued = gerbang.Simulator.Payments.Values.Where(p => p.Method == "card" && p.Amount == 60_000).ToList();
        Assert.Single(issued);

        // Nobody saw that card page: its withdrawal cancels it at the provider.
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (issued[0].Status == "pending")
        {
            Assert.True(DateTime.UtcNow < deadline, "the unknown card attempt was never withdrawn");

            // A worker may have taken the withdrawal while the provider was still slow; its retry is due
            // after a backoff on the gateway's clock, which moves only when the test moves it.
            gerbang.Clock.Advance(TimeSpan.FromSeconds(5));
            await jobs.ProcessBatchAsync();
            await Task.Delay(30);
        }

        Assert.Equal("cancelled", issued[0].Status);
    }

    [Fact]
    public async Task Money_paid_on_a_superseded_attempt_is_credited_and_a_second_payment_is_an_overpayment()
    {
        var merchant = await gerbang.NewMerchantAsync();
        gerbang.Simulator.Knobs.AnswerDelay = TimeSpan.FromSeconds(2);
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-RT-SUPERSEDED", 40_000));
        gerbang.Simulator.Knobs.Reset();
        var current = payment.Str("provider");
        Assert.NotEqual("simulator", current);
        await using var find = gerbang.Db.CreateCommand("select id from payment_attempts where payment_id = $1 and provider = 'simulator'");
        find.Parameters.Add(new() { Value = payment.Str("id") });
        var attemptId = (string)(await find.ExecuteScalarAsync())!;

        // The customer pays the instrument nobody was meant to see, before it is withdrawn.
        var control = gerbang.App.Services.GetRequiredService<Gerbang.Api.ProviderSetup.ProviderRegistry>().TestControl(Gerbang.Domain.Mode.Test, "simulator")!;
        Assert.True((await control.PayAsync(gerbang.Simulator.ByReference[attemptId], null, CancellationToken.None)).Done);
        var paid = (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body;
        Assert.Equal("paid", paid.Str("status"));

        // Then the current instrument is paid too: an overpayment, credited, not dropped.
        var (_, again, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal(40_000, again.Long("amount_overpaid"));
        Assert.Equal(2, await gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{payment.Str("id")}:%"));

        // Each provider's clearing account holds what that provider took.
        foreach (var provider in new[] { "simulator", current })
        {
            Assert.Equal(1, await gerbang.CountAsync(
                """
                select count(*) from ledger_postings p join ledger_entries e on e.id = p.entry_id join ledger_accounts a on a.id = p.account_id
                where e.reference like $1 and a.kind = 'provider_clearing' and a.owner = $2 and abs(p.amount) = 40000
                """, $"payment:{payment.Str("id")}:%", provider));
        }

        // A refund goes to a provider that holds the money, on the attempt that took it there.
        var (refundStatus, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/refunds", new { amount = 10_000 });
        Assert.Equal(201, refundStatus);
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        var holder = await gerbang.CountAsync("select count(*) from refunds r join provider_transactions t on t.payment_id = r.payment_id and t.provider = r.provider where r.id = $1 and t.credited > 0", refund.Str("id"));
        Assert.Equal(1, holder);
    }
}


/// <summary>Operators' routing controls, through the admin API.</summary>
public sealed class RoutingControlTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task Operators_disable_weight_and_override_providers_per_merchant_on_record_and_routing_follows()
    {
        var ops = await gerbang.AsRoleAsync("ops");
        var finance = await gerbang.AsRoleAsync("finance");
        var merchant = await gerbang.NewMerchantAsync();
        var favoured = await gerbang.NewMerchantAsync();

        Assert.Equal(403, (await finance.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = false, reason = "not mine to do" })).Status);
        var (noReason, problem) = await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = false });
        Assert.Equal((400, "reason"), (noReason, problem.Str("param")));
        Assert.Equal(400, (await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = false, status = "down", reason = "mass assignment" })).Status);
        Assert.Equal(400, (await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { weight = 5000, reason = "too heavy" })).Status);
        Assert.Equal(404, (await ops.PatchJsonAsync("/admin/v1/providers/nobody", new { enabled = false, reason = "no such provider" })).Status);
        Assert.Equal(404, (await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = true, merchant = "mch_nobody", reason = "no such merchant" })).Status);

        var (status, view) = await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = false, reason = "provider maintenance window" });
        Assert.Equal(200, status);
        Assert.False(view.GetProperty("enabled").GetBoolean());
        (status, _) = await ops.PatchJsonAsync("/admin/v1/providers/midtrans", new { weight = 0, reason = "route Midtrans only when pinned" });
        Assert.Equal(200, status);
        (status, view) = await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = true, merchant = favoured.Id, reason = "this merchant keeps the simulator" });
        Assert.Equal(200, status);
        Assert.Equal(favoured.Id, view.GetProperty("merchant_overrides")[0].Str("merchant"));
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var (_, routed, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment($"ORDER-RC-{i}"));
                Assert.Contains(routed.Str("provider"), new[] { "xendit", "doku", "ipaymu" }); // simulator disabled, Midtrans weighted out
            }

            var (pinnedStatus, pinned, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 150_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-RC-PIN", provider = "simulator" });
            Assert.Equal((422, "no_provider_available"), (pinnedStatus, pinned.Str("code")));
            var (_, pinnedMidtrans, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 150_000, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-RC-PIN-MT", provider = "midtrans" });
            Assert.Equal("midtrans", pinnedMidtrans.Str("provider")); // weight 0 keeps it out of routing, not out of reach

            var (_, own, _) = await favoured.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RC-FAV"));
            Assert.Equal("simulator", own.Str("provider"));

            var audit = await gerbang.AuditAsync("provider.routing_changed");
            var disabled = audit.EnumerateArray().First(a => a.Str("target_id") == "simulator");
            Assert.Equal("provider maintenance window", disabled.Str("reason"));
            Assert.False(disabled.GetProperty("after").GetProperty("enabled").GetBoolean());
        }
        finally
        {
            await ops.PatchJsonAsync("/admin/v1/providers/simulator", new { enabled = true, reason = "maintenance over" });
            await ops.PatchJsonAsync("/admin/v1/providers/midtrans", new { weight = 100, reason = "maintenance over" });
        }

        var (_, back, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RC-BACK"));
        Assert.Equal("simulator", back.Str("provider"));
    }

    [Fact]
    public async Task The_provider_view_lists_capabilities_and_settings_to_every_role()
    {
        var finance = await gerbang.AsRoleAsync("finance");
        var (status, list) = await finance.GetJsonAsync("/admin/v1/providers");
        Assert.Equal(200, status);
        var names = list.GetProperty("data").EnumerateArray().Select(p => p.Str("name")).ToList();
        Assert.Contains("simulator", names);
        Assert.Contains("midtrans", names);
        Assert.Contains("xendit", names);
        var midtrans = list.GetProperty("data").EnumerateArray().Single(p => p.Str("name") == "midtrans");
        var va = midtrans.GetProperty("capabilities").EnumerateArray().Single(c => c.Str("method") == "va");
        Assert.DoesNotContain("bsi", va.GetProperty("banks").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(10, midtrans.GetProperty("priority").GetInt32());
    }
}

/// <summary>The simulator adapter pointed at a port where nothing listens: every call is refused.</summary>
public sealed class RefusedSimulatorFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Providers:Simulator:BaseUrl"] = "http://127.0.0.1:1/";
}

public sealed class RefusedConnectionTests(RefusedSimulatorFixture gerbang) : IClassFixture<RefusedSimulatorFixture>
{
    [Fact]
    public async Task A_refused_connection_is_passed_over_and_the_payment_is_paid_elsewhere()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-REFUSED"));
        Assert.True(status == 201, payment.ToString());
        Assert.NotEqual("simulator", payment.Str("provider"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payment_attempts where payment_id = $1 and provider = 'simulator' and status = 'failed' and failure_code = 'provider_unreachable'", payment.Str("id")));
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
    }
}

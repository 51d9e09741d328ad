using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Ledger;

public enum MoneyOp
{
    Create,
    Pay,
    PayAgain,
    PayPart,
    Expire,
    Cancel,
    Refund,
    RefundAtProvider,
    DropNextNotifications,
    DuplicateNextNotifications,
    Redeliver,
    Reconcile,
    Payout,
    PayoutUnknown,
    PayoutSucceeds,
    PayoutFails,
    Restart,
    RefundAnswered5xx,
}

/// <summary>Gerbang whose simulator gives up after one second, so a slower answer leaves a payout's outcome unknown.</summary>
public sealed class ConservationFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Providers:Simulator:Timeout"] = "00:00:01";
}

/// <summary>
/// The system-level conservation property. Random sequences over the five providers and the generic
/// simulator (create, pay, pay again, pay part, expire, cancel, Gerbang's refunds and the provider's own,
/// payouts that succeed, fail or whose answer is lost; notifications dropped, duplicated and redelivered
/// late; reconciliation and gateway restarts at random points) run through the public API and the simulators' control API.
/// After each sequence, with every notification redelivered once more and a last reconciliation, the
/// merchant's ledger must equal what the simulators' books say: money taken − refunded − paid out −
/// Gerbang's fees; no provider transaction is credited beyond what it took; nothing is negative; every
/// ledger entry balances. FsCheck prints a failing sequence and its seed; GERBANG_CONSERVATION_SEQUENCE
/// replays a sequence exactly and GERBANG_CONSERVATION_RUNS runs more of them.
/// </summary>
public sealed class ConservationPropertyTests(ConservationFixture gerbang) : IClassFixture<ConservationFixture>
{
    private static readonly string[] Providers = ["simulator", "midtrans", "xendit", "stripe", "doku", "ipaymu"];

    [Fact]
    public void The_ledger_mirrors_the_providers_books_whatever_the_reports()
    {
        // Every choice in a run follows from its sequence, so a failing sequence (FsCheck prints it) replays exactly.
        if (Environment.GetEnvironmentVariable("GERBANG_CONSERVATION_SEQUENCE") is { Length: > 0 } replay)
        {
            Assert.True(Run([.. replay.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<MoneyOp>)]));
            return;
        }

        var ops = Gen.Elements(Enum.GetValues<MoneyOp>()).ArrayOf().Where(a => a.Length is > 0 and <= 16).ToArbitrary();
        var runs = int.TryParse(Environment.GetEnvironmentVariable("GERBANG_CONSERVATION_RUNS"), out var n) ? n : 10;
        Prop.ForAll(ops, Run)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true));
    }

    private bool Run(MoneyOp[] sequence) => RunAsync(sequence).GetAwaiter().GetResult();

    private sealed record Made(string Id, string Provider, string Method, long Amount, string Reference);

    private static object Request(string provider, string method, long amount) => method switch
    {
        "card" => new { amount, currency = "IDR", method, capture_method = "automatic", order_id = "C-" + Guid.NewGuid().ToString("N"), provider },
        "va" => new { amount, currency = "IDR", method, bank = "bni", order_id = "V-" + Guid.NewGuid().ToString("N"), provider },
        _ => (object)new { amount, currency = "IDR", method, order_id = "Q-" + Guid.NewGuid().ToString("N"), provider },
    };

    private static string MethodOf(string provider, int step) => provider switch
    {
        "stripe" => "card",
        "ipaymu" => "va",
        "simulator" => step % 2 == 0 ? "va" : "qris",
        _ => "qris",
    };

    private async Task<bool> RunAsync(MoneyOp[] ops)
    {
        var controls = Providers.ToDictionary(p => p, p => new SimulatorControl(gerbang, p));
        try
        {
            return await RunAsync(ops, controls);
        }
        finally
        {
            foreach (var c in controls.Values)
            {
                await c.KnobsAsync(new { reset = true });
                c.Dispose();
            }
        }
    }

    private async Task<bool> RunAsync(MoneyOp[] ops, Dictionary<string, SimulatorControl> controls)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" });
        using (var ops_ = await gerbang.AsRoleAsync("ops"))
        {
            await ops_.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "property test" });
        }

        var made = new List<Made>();
        var payouts = new List<string>();
        string? dropFor = null, duplicateFor = null;
        var step = 0;
        foreach (var op in ops)
        {
            step++;
            var target = made.Count == 0 ? null : made[step * 7 % made.Count];
            var knobbed = dropFor ?? duplicateFor;
            switch (op)
            {
                case MoneyOp.Create:
                    {
                        var provider = Providers[step * 5 % Providers.Length];
                        var method = MethodOf(provider, step);
                        var amount = 20_000 + (step * 1_000);
                        var (status, p, _) = await merchant.Client.PostJsonAsync("/v1/payments", Request(provider, method, amount));
                        if (status != 201)
                        {
                            return Fail($"create on {provider} answered {status}: {p}");
                        }

                        made.Add(new Made(p.Str("id"), provider, method, amount, p.Str("provider_reference")));
                        break;
                    }

                case MoneyOp.Pay or MoneyOp.PayAgain when target is not null:
                    {
                        var (status, body, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{target.Id}/pay", null);
                        if (status >= 500)
                        {
                            return Fail($"pay answered {status}: {body}");
                        }

                        break;
                    }

                case MoneyOp.PayPart when target is { Provider: "simulator" }:
                    await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{target.Id}/pay", new { amount = target.Amount / 2 });
                    break;

                case MoneyOp.Expire when target is not null:
                    await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{target.Id}/expire", null);
                    break;

                case MoneyOp.Cancel when target is not null:
                    {
                        var (status, body, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{target.Id}/cancel", null);
                        if (status >= 500 && status != 504)
                        {
                            return Fail($"cancel answered {status}: {body}");
                        }

                        break;
                    }

                case MoneyOp.Refund or MoneyOp.RefundAnswered5xx when target is { Method: not "va", Provider: not "ipaymu" }:
                    {
                        // Answered 5xx: the provider refunds, then answers 5xx, so the outcome is unknown to Gerbang.
                        var unknown = op == MoneyOp.RefundAnswered5xx;
                        if (unknown)
                        {
                            await controls[target.Provider].KnobsAsync(new { error_after_acting = true });
                        }

                        var (status, body, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{target.Id}/refunds", new { amount = unknown ? 3_000 : 5_000 });
                        if (status >= 500)
                        {
                            return Fail($"refund answered {status}: {body}");
                        }

                        await DriveAsync();
                        if (unknown)
                        {
                            await controls[target.Provider].KnobsAsync(new { error_after_acting = false });
                        }

                        break;
                    }

                case MoneyOp.RefundAtProvider when target is { Method: not "va", Provider: "simulator" or "midtrans" or "xendit" or "stripe" or "doku" } or { Provider: "ipaymu" }:
                    {
                        // Only what the merchant still holds, so the balance the provider's refund debits stays
                        // positive. iPaymu's dashboard refunds a whole transaction.
                        var amount = target.Provider == "ipaymu" ? target.Amount : 4_000;
                        if (await AvailableAsync(merchant) < amount)
                        {
                            break;
                        }

                        var path = target.Provider == "simulator" ? $"payments/{target.Reference}" : target.Reference;
                        await controls[target.Provider].RefundAtProviderAsync(path, target.Provider == "ipaymu" ? null : amount);
                        break;
                    }

                case MoneyOp.DropNextNotifications when target is not null:
                    dropFor = target.Provider;
                    await controls[dropFor].KnobsAsync(new { drop_notifications = true });
                    continue;

                case MoneyOp.DuplicateNextNotifications when target is not null:
                    duplicateFor = target.Provider;
                    await controls[duplicateFor].KnobsAsync(new { duplicate_notifications = true });
                    continue;

                case MoneyOp.Redeliver when target is not null:
                    {
                        var sent = await controls[target.Provider].SentAsync(target.Reference);
                        if (sent.Count > 0)
                        {
                            await controls[target.Provider].RedeliverAsync(sent[step % sent.Count].Id);
                        }

                        break;
                    }

                case MoneyOp.Reconcile:
                    await ReconcileAsync();
                    break;

                case MoneyOp.Payout or MoneyOp.PayoutUnknown:
                    {
                        var amount = Math.Min(await AvailableAsync(merchant) - 5_000, 6_000);
                        if (amount <= 0)
                        {
                            break;
                        }

                        if (op == MoneyOp.PayoutUnknown)
                        {
                            await controls["simulator"].KnobsAsync(new { answer_delay_ms = 1_500 });
                        }

                        var (status, d, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount, currency = "IDR" });
                        if (status != 201)
                        {
                            return Fail($"payout answered {status}: {d}");
                        }

                        payouts.Add(d.Str("id"));
                        await DriveAsync();
                        if (op == MoneyOp.PayoutUnknown)
                        {
                            await controls["simulator"].KnobsAsync(new { answer_delay_ms = 0 });
                        }

                        break;
                    }

                case MoneyOp.Restart:
                    // Gerbang stops and starts again on the same database; the providers keep their state.
                    await gerbang.RestartAsync();
                    break;

                case MoneyOp.PayoutSucceeds or MoneyOp.PayoutFails when payouts.Count > 0:
                    await controls["simulator"].PostAsync($"payouts/{payouts[step % payouts.Count]}/{(op == MoneyOp.PayoutSucceeds ? "succeed" : "fail")}");
                    break;
            }

            if (knobbed is not null)
            {
                await controls[knobbed].KnobsAsync(new { drop_notifications = false, duplicate_notifications = false });
                dropFor = duplicateFor = null;
            }
        }

        return await ConservedAsync(merchant, made, payouts, controls);
    }

    /// <summary>The providers retry everything once more and a last reconciliation runs; then the books must agree.</summary>
    private async Task<bool> ConservedAsync(TestMerchant merchant, List<Made> made, List<string> payouts, Dictionary<string, SimulatorControl> controls)
    {
        foreach (var m in made)
        {
            foreach (var (id, _, _) in await controls[m.Provider].SentAsync(m.Reference))
            {
                await controls[m.Provider].RedeliverAsync(id);
            }
        }

        gerbang.Clock.Advance(TimeSpan.FromMinutes(2));
        await DriveAsync();
        await ReconcileAsync();
        await DriveAsync();

        var books = new Dictionary<string, JsonElement>();
        foreach (var p in Providers)
        {
            books[p] = (await controls[p].BooksAsync()).GetProperty("references");
        }

        long creditable = 0, refunded = 0;
        await using (var cmd = gerbang.Db.CreateCommand("select a.id, a.provider, p.amount, p.method, coalesce((select sum(t.credited) from provider_transactions t where t.attempt_id = a.id and t.provider = a.provider), 0)::bigint from payment_attempts a join payments p on p.id = a.payment_id where p.merchant_id = $1"))
        {
            cmd.Parameters.Add(new() { Value = merchant.Id });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (attempt, provider, asked, method, credited) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4));
                var taken = books[provider].TryGetProperty(attempt, out var entry) ? entry.Long("taken") : 0;
                if (credited > taken)
                {
                    return Fail($"{provider} transaction of attempt {attempt} took {taken} and was credited {credited}");
                }

                if (taken == 0)
                {
                    continue;
                }

                creditable += method == "card" || taken >= asked ? taken : 0;
                refunded += entry.Long("refunded");
            }
        }

        var fees = await gerbang.CountAsync("select coalesce(sum(fee), 0) from payments where merchant_id = $1", merchant.Id);
        var outgoing = await gerbang.CountAsync("select coalesce(sum(amount + fee), 0) from disbursements where merchant_id = $1 and status = 'succeeded'", merchant.Id);
        var inFlight = await gerbang.CountAsync("select coalesce(sum(amount + fee), 0) from disbursements where merchant_id = $1 and status in ('pending', 'processing')", merchant.Id);
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        long Of(string kind) => balance.GetProperty(kind).EnumerateArray().Where(b => b.Str("currency") == "IDR").Sum(b => b.Long("amount"));
        var held = Of("available") + Of("reserved");
        var expected = creditable - refunded - outgoing - fees;
        if (held != expected)
        {
            return Fail($"the ledger holds {held}; the providers' books say {expected} (creditable {creditable}, refunded {refunded}, out {outgoing}, fees {fees}); balance {balance}");
        }

        if (Of("available") < 0 || Of("reserved") != inFlight)
        {
            return Fail($"available {Of("available")} went negative or reserved {Of("reserved")} is not the {inFlight} in flight");
        }

        foreach (var id in payouts)
        {
            var status = (await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status");
            var paidOut = books["simulator"].TryGetProperty(id, out var e) ? e.Long("paid_out") : 0;
            if ((status == "succeeded") != (paidOut > 0) && status is "succeeded" or "failed")
            {
                return Fail($"payout {id} is {status} here and paid out {paidOut} at the provider");
            }
        }

        if (await gerbang.CountAsync("select count(*) from (select entry_id from ledger_postings group by entry_id, currency having sum(amount) <> 0) x") != 0
            || await gerbang.CountAsync("select coalesce(sum(amount), 0) from ledger_postings") != 0)
        {
            return Fail("the ledger does not balance");
        }

        return true;
    }

    private async Task ReconcileAsync()
    {
        var client = await gerbang.AsRoleAsync("finance");
        await client.PostJsonAsync("/admin/v1/reconciliation/runs", new { reason = "property test" });
    }

    private async Task DriveAsync()
    {
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        for (var i = 0; i < 20 && await jobs.ProcessBatchAsync() > 0; i++)
        {
        }
    }

    private async Task<long> AvailableAsync(TestMerchant merchant)
    {
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        return balance.GetProperty("available").EnumerateArray().Where(b => b.Str("currency") == "IDR").Sum(b => b.Long("amount"));
    }

    /// <summary>Fails the sequence with its reason, which FsCheck prints beside the sequence and its seed.</summary>
    private static bool Fail(string why) => throw new InvalidOperationException("conservation: " + why);
}

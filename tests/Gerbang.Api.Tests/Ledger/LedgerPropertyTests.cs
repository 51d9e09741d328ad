using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Disbursements;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Generic;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Ledger;

public enum LedgerOp
{
    PayQris,
    Refund,
    Payout,
    PayoutSucceeds,
    PayoutFails,
    PaidAfterExpiry,
    PaidTwice,
    ReplayNotification,
    AuthoriseCard,
    CaptureCard,
    VoidCard,
}

/// <summary>
/// Random sequences of money movements (QRIS payments paid on time, late or twice, card authorisations
/// captured in part or voided, refunds, payouts and their outcomes, replayed notifications) run against the real service and against a model of two
/// numbers. After every step the merchant's available and reserved balances equal the model, every
/// ledger entry sums to zero, and all accounts together sum to zero. A failure prints FsCheck's seed.
/// </summary>
public sealed class LedgerPropertyTests(FreePayoutsFixture gerbang) : IClassFixture<FreePayoutsFixture>
{
    [Fact]
    public void Balances_follow_the_model_and_the_ledger_always_balances() =>
        PropertyRunner.Check(RunAsync);

    private async Task<bool> RunAsync(LedgerOp[] ops)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, account, _) = await merchant.Client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" });
        using (var ops_ = await gerbang.AsRoleAsync("ops"))
        {
            await ops_.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/bank_accounts/{account.Str("id")}/verify", new { reason = "property test" });
        }

        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        long available = 0, reserved = 0;
        var paid = new List<(string Id, long Refundable)>();
        var qris = new List<string>();
        var authorised = new List<(string Id, long Amount)>();
        var payouts = new Queue<(string Id, long Amount)>();
        var step = 0;
        foreach (var op in ops)
        {
            step++;
            switch (op)
            {
                case LedgerOp.PayQris:
                case LedgerOp.PaidAfterExpiry:
                    {
                        var amount = 10_000 + (step * 1_000);
                        var (_, p, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment($"P-{Guid.NewGuid():N}", amount));
                        if (op == LedgerOp.PaidAfterExpiry)
                        {
                            await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{p.Str("id")}/expire", null);
                        }

                        var (_, done, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{p.Str("id")}/pay", null);
                        available += amount - done.Long("fee");
                        paid.Add((p.Str("id"), amount));
                        qris.Add(p.Str("id"));
                        break;
                    }

                case LedgerOp.PaidTwice when qris.Count > 0:
                    {
                        // The customer pays the same QR again: credited in full as overpayment, with no fee.
                        var index = paid.FindIndex(x => x.Id == qris[^1]);
                        var (id, refundable) = paid[index];
                        var (_, again, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
                        available += again.Long("amount");
                        paid[index] = (id, refundable + again.Long("amount"));
                        break;
                    }

                case LedgerOp.AuthoriseCard:
                    {
                        // An authorisation holds the customer's money at the provider; the merchant has nothing yet.
                        var amount = 20_000 + (step * 1_000);
                        var (_, p, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment($"C-{Guid.NewGuid():N}", amount, provider: "simulator"));
                        var (_, held, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{p.Str("id")}/pay", null);
                        if (held.Str("status") != "requires_capture")
                        {
                            return false;
                        }

                        authorised.Add((p.Str("id"), amount));
                        break;
                    }

                case LedgerOp.CaptureCard when authorised.Count > 0:
                    {
                        // Part of the hold is captured (a different part each step), the rest released.
                        var (id, amount) = authorised[0];
                        authorised.RemoveAt(0);
                        var capture = amount - (step * 500 % (amount / 2));
                        var (status, captured, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/capture", new { amount = capture });
                        if (status != 200 || captured.Long("amount_captured") != capture)
                        {
                            return false;
                        }

                        available += capture - captured.Long("fee");
                        paid.Add((id, capture));
                        break;
                    }

                case LedgerOp.VoidCard when authorised.Count > 0:
                    {
                        var (id, _) = authorised[^1];
                        authorised.RemoveAt(authorised.Count - 1);
                        var (status, voided, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/cancel", null);
                        if (status != 200 || voided.Str("status") != "cancelled")
                        {
                            return false;
                        }

                        break;
                    }

                case LedgerOp.Refund when paid.Count > 0:
                    {
                        var (id, refundable) = paid[step % paid.Count];
                        var amount = Math.Min(refundable, 3_000);
                        if (amount <= 0)
                        {
                            break;
                        }

                        var (status, _, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount });
                        if (status == 201)
                        {
                            available -= amount;
                            paid[step % paid.Count] = (id, refundable - amount);
                        }
                        else if (available >= amount)
                        {
                            return false; // refused although the model could pay it
                        }

                        break;
                    }

                case LedgerOp.Payout:
                    {
                        var amount = Math.Min(available, 7_000);
                        if (amount <= 0)
                        {
                            break;
                        }

                        var (status, d, _) = await merchant.Client.PostJsonAsync("/v1/disbursements", new { amount, currency = "IDR" });
                        if (status != 201)
                        {
                            return false;
                        }

                        available -= amount;
                        reserved += amount;
                        payouts.Enqueue((d.Str("id"), amount));
                        break;
                    }

                case LedgerOp.PayoutSucceeds or LedgerOp.PayoutFails when payouts.Count > 0:
                    {
                        var (id, amount) = payouts.Dequeue();
                        var deadline = DateTime.UtcNow.AddSeconds(15);
                        while ((await merchant.Client.GetJsonAsync($"/v1/disbursements/{id}")).Body.Str("status") == "pending")
                        {
                            if (DateTime.UtcNow > deadline)
                            {
                                return false;
                            }

                            await jobs.ProcessBatchAsync();
                            await Task.Delay(20);
                        }

                        var succeed = op == LedgerOp.PayoutSucceeds;
                        await merchant.Client.PostJsonAsync($"/v1/test_helpers/disbursements/{id}/{(succeed ? "succeed" : "fail")}", null);
                        reserved -= amount;
                        if (!succeed)
                        {
                            available += amount;
                        }

                        break;
                    }

                case LedgerOp.ReplayNotification:
                    {
                        var sent = gerbang.App.Services.GetRequiredService<GenericNotifier>().Sent.LastOrDefault();
                        if (sent is not null)
                        {
                            using var content = new StringContent(sent.Body, Encoding.UTF8, "application/json");
                            using var replay = new HttpRequestMessage(HttpMethod.Post, "/webhooks/simulator") { Content = content };
                            replay.Headers.TryAddWithoutValidation(GenericSignature.Header, sent.Signature);
                            using var _ = await gerbang.Http.SendAsync(replay);
                        }

                        break;
                    }
            }

            var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
            if (balance.GetProperty("available")[0].Long("amount") != available || balance.GetProperty("reserved")[0].Long("amount") != reserved)
            {
                return false;
            }

            if (await gerbang.CountAsync("select count(*) from (select entry_id from ledger_postings group by entry_id, currency having sum(amount) <> 0) x") != 0
                || await gerbang.CountAsync("select coalesce(sum(amount), 0) from ledger_postings") != 0
                || await gerbang.CountAsync("select coalesce(sum(balance), 0) from account_balances") != 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Runs the property outside the test method body, where blocking on the async run is safe.</summary>
internal static class PropertyRunner
{
    public static void Check(Func<LedgerOp[], Task<bool>> run)
    {
        var ops = Gen.Elements(Enum.GetValues<LedgerOp>()).ArrayOf().Where(a => a.Length is > 0 and <= 14).ToArbitrary();
        var runs = int.TryParse(Environment.GetEnvironmentVariable("GERBANG_PROPERTY_RUNS"), out var n) ? n : 12;
        Prop.ForAll(ops, sequence => run(sequence).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true));
    }
}

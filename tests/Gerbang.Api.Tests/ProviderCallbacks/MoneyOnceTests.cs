using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.ProviderCallbacks;

/// <summary>
/// Money is credited exactly once, from what the provider confirms: every report about a provider
/// transaction (its notification, the provider's retries hours later, a reconciliation find, refund
/// notifications, refunds made from the provider's dashboard) is applied by difference. Driven through
/// the public API and the simulators' control API over HTTP, through the real adapters.
/// </summary>
public sealed class MoneyOnceTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private async Task<long> AvailableAsync(TestMerchant merchant) =>
        (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount");

    private async Task<JsonElement> PaymentAsync(TestMerchant merchant, string id) => (await merchant.Client.GetJsonAsync($"/v1/payments/{id}")).Body;

    private Task<long> EntriesAsync(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    private async Task ReconcileAsync()
    {
        var client = await gerbang.AsRoleAsync("finance");
        var (status, report, _) = await client.PostJsonAsync("/admin/v1/reconciliation/runs", new { reason = "after an outage" });
        Assert.True(status == 201, report.ToString());
    }

    private static async Task DropNotificationsAsync(SimulatorControl control, Func<Task> act)
    {
        await control.KnobsAsync(new { drop_notifications = true });
        try
        {
            await act();
        }
        finally
        {
            await control.KnobsAsync(new { reset = true });
        }
    }

    [Fact]
    public async Task A_Midtrans_notification_retried_after_reconciliation_credited_the_payment_credits_nothing_more()
    {
        using var midtrans = new SimulatorControl(gerbang, "midtrans");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("midtrans", "va", "bca", "ORDER-ONCE-VA", 200_000));
        var id = payment.Str("id");

        // The customer pays; Midtrans's notification is lost on the way.
        await DropNotificationsAsync(midtrans, () => merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null));
        Assert.Equal("pending", (await PaymentAsync(merchant, id)).Str("status"));

        await ReconcileAsync();
        var paid = await PaymentAsync(merchant, id);
        Assert.Equal("paid", paid.Str("status"));
        var credited = 200_000 - paid.Long("fee");
        Assert.Equal(credited, await AvailableAsync(merchant));

        // Midtrans retries the notification it could not deliver, and retries it again: the money is already held.
        var sent = await midtrans.SentAsync(payment.Str("provider_reference"));
        var settlement = Assert.Single(sent, n => n.Body.Contains("\"settlement\"", StringComparison.Ordinal));
        Assert.True(settlement.Dropped);
        Assert.Equal(200, await midtrans.RedeliverAsync(settlement.Id));
        Assert.Equal(200, await midtrans.RedeliverAsync(settlement.Id));

        var after = await PaymentAsync(merchant, id);
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(200_000, after.Long("amount_captured"));
        Assert.Equal(credited, await AvailableAsync(merchant));
        Assert.Equal(1, await EntriesAsync(id));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.overpaid'", id));
    }

    [Fact]
    public async Task Midtrans_refund_notifications_confirm_refunds_and_a_dashboard_refund_is_booked_never_money_in()
    {
        using var midtrans = new SimulatorControl(gerbang, "midtrans");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("midtrans", "qris", null, "ORDER-ONCE-QRIS", 100_000));
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        var net = 100_000 - paid.Long("fee");

        // Gerbang's own refund: Midtrans answers and then notifies partial_refund.
        var (status, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 40_000 });
        Assert.Equal(201, status);
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        var reference = payment.Str("provider_reference");
        Assert.Contains(await midtrans.SentAsync(reference), n => n.Body.Contains("\"partial_refund\"", StringComparison.Ordinal));
        var afterOurs = await PaymentAsync(merchant, id);
        Assert.Equal(0, afterOurs.Long("amount_overpaid"));
        Assert.Equal(40_000, afterOurs.Long("amount_refunded"));
        Assert.Equal(net - 40_000, await AvailableAsync(merchant));

        // The rest is refunded from the Midtrans dashboard: Midtrans notifies refund; Gerbang books it.
        Assert.Equal(200, await midtrans.RefundAtProviderAsync(reference, null));
        var (_, refunds) = await merchant.Client.GetJsonAsync($"/v1/refunds?payment={id}");
        var byProvider = Assert.Single(refunds.GetProperty("data").EnumerateArray(), r => r.Str("initiated_by") == "provider");
        Assert.Equal(60_000, byProvider.Long("amount"));
        Assert.Equal("succeeded", byProvider.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'refund.created'", byProvider.Str("id")));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'refund.succeeded'", byProvider.Str("id")));

        // Midtrans retries every notification it ever sent about the transaction: nothing moves.
        Assert.True(await midtrans.RedeliverAllAsync(reference) >= 3);
        var final = await PaymentAsync(merchant, id);
        Assert.Equal(0, final.Long("amount_overpaid"));
        Assert.Equal(100_000, final.Long("amount_refunded"));
        Assert.Equal("paid", final.Str("status"));
        Assert.Equal(net - 100_000, await AvailableAsync(merchant));
        Assert.Equal(2, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1", id));
        Assert.Equal(1, await EntriesAsync(id));

        // The provider's books and Gerbang's agree: taken 100,000, refunded 100,000.
        var books = (await midtrans.BooksAsync()).GetProperty("references");
        var order = books.EnumerateObject().Single(p => p.Value.Long("taken") == 100_000 && p.Value.Long("refunded") == 100_000);
        Assert.NotNull(order.Name);
    }

    [Fact]
    public async Task A_VA_paid_twice_is_an_overpayment_of_the_confirmed_difference_and_its_retries_add_nothing()
    {
        using var simulator = new SimulatorControl(gerbang, "simulator");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 50_000, currency = "IDR", method = "va", bank = "bni", order_id = "ORDER-ONCE-TWICE", provider = "simulator" });
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        var (_, again, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", new { amount = 20_000 });
        Assert.Equal(20_000, again.Long("amount_overpaid"));
        var expected = 50_000 - paid.Long("fee") + 20_000;
        Assert.Equal(expected, await AvailableAsync(merchant));

        Assert.Equal(2, await simulator.RedeliverAllAsync(payment.Str("provider_reference")));
        await ReconcileAsync();
        var after = await PaymentAsync(merchant, id);
        Assert.Equal(20_000, after.Long("amount_overpaid"));
        Assert.Equal(expected, await AvailableAsync(merchant));
        Assert.Equal(2, await EntriesAsync(id));
    }

    [Fact]
    public async Task An_early_notification_replayed_after_the_attempt_exists_and_a_reconciliation_credit_once_together()
    {
        using var simulator = new SimulatorControl(gerbang, "simulator");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 30_000, currency = "IDR", method = "qris", order_id = "ORDER-ONCE-MIX", provider = "simulator" });
        var id = payment.Str("id");
        await DropNotificationsAsync(simulator, () => merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null));
        await ReconcileAsync();
        await ReconcileAsync();
        Assert.Equal(1, await simulator.RedeliverAllAsync(payment.Str("provider_reference")));
        var after = await PaymentAsync(merchant, id);
        Assert.Equal("paid", after.Str("status"));
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(1, await EntriesAsync(id));
        Assert.Equal(30_000 - after.Long("fee"), await AvailableAsync(merchant));
    }

    [Fact]
    public async Task Xendit_refund_callbacks_are_never_money_in_and_a_dashboard_refund_is_booked_once()
    {
        using var xendit = new SimulatorControl(gerbang, "xendit");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("xendit", "qris", null, "ORDER-ONCE-XENDIT", 80_000));
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        var net = 80_000 - paid.Long("fee");

        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 30_000 });
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        var reference = payment.Str("provider_reference");
        Assert.Contains(await xendit.SentAsync(reference), n => n.Body.Contains("refund.succeeded", StringComparison.Ordinal));
        Assert.Equal(200, await xendit.RefundAtProviderAsync(reference, 10_000));
        Assert.True(await xendit.RedeliverAllAsync(reference) >= 3);

        var after = await PaymentAsync(merchant, id);
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(40_000, after.Long("amount_refunded"));
        Assert.Equal(net - 40_000, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider' and amount = 10000", id));
        Assert.Equal(1, await EntriesAsync(id));
    }

    [Fact]
    public async Task A_simulator_refund_made_at_the_provider_is_booked_debited_and_announced()
    {
        using var simulator = new SimulatorControl(gerbang, "simulator");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 60_000, currency = "IDR", method = "qris", order_id = "ORDER-ONCE-DASH", provider = "simulator" });
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal(200, await simulator.RefundAtProviderAsync($"payments/{payment.Str("provider_reference")}", 25_000));
        Assert.Equal(60_000 - paid.Long("fee") - 25_000, await AvailableAsync(merchant));
        var (_, refunds) = await merchant.Client.GetJsonAsync($"/v1/refunds?payment={id}");
        var booked = Assert.Single(refunds.GetProperty("data").EnumerateArray());
        Assert.Equal("provider", booked.Str("initiated_by"));
        Assert.Equal(25_000, booked.Long("amount"));
        var (_, balanceTransactions) = await merchant.Client.GetJsonAsync("/v1/balance_transactions");
        Assert.Contains(balanceTransactions.GetProperty("data").EnumerateArray(), t => t.Str("type") == "refund" && t.Long("amount") == -25_000);

        // A merchant refund may take only what is left.
        var (status, problem, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 40_000 });
        Assert.Equal(422, status);
        Assert.Equal("refund_exceeds_payment", problem.Str("code"));
    }

    [Fact]
    public async Task An_iPaymu_refund_made_in_its_dashboard_is_booked_once_and_its_callbacks_are_never_money_in()
    {
        using var ipaymu = new SimulatorControl(gerbang, "ipaymu");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("ipaymu", "va", "bni", "ORDER-ONCE-IPAYMU", 70_000));
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        var net = 70_000 - paid.Long("fee");

        Assert.Equal(200, await ipaymu.RefundAtProviderAsync(payment.Str("provider_reference"), null));
        Assert.True(await ipaymu.RedeliverAllAsync(payment.Str("provider_reference")) >= 2);
        var after = await PaymentAsync(merchant, id);
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(70_000, after.Long("amount_refunded"));
        Assert.Equal(net - 70_000, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider'", id));
        Assert.Equal(1, await EntriesAsync(id));
    }

    [Fact]
    public async Task A_Stripe_refund_made_in_its_dashboard_and_charge_refunded_events_are_never_money_in()
    {
        using var stripe = new SimulatorControl(gerbang, "stripe");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.CardPayment("ORDER-ONCE-STRIPE", 90_000, "automatic", "stripe"));
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        var net = 90_000 - paid.Long("fee");

        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 20_000 });
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        Assert.Equal(200, await stripe.RefundAtProviderAsync(payment.Str("provider_reference"), 30_000));
        // Stripe retries every event about the PaymentIntent (succeeded, then two charge.refunded).
        var intent = gerbang.App.Services.GetRequiredService<Gerbang.Simulators.Stripe.StripeSimulatorState>().Sessions[payment.Str("provider_reference")].PaymentIntentId!;
        Assert.True(await stripe.RedeliverAllAsync(intent) >= 3);
        var after = await PaymentAsync(merchant, id);
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(50_000, after.Long("amount_refunded"));
        Assert.Equal(net - 50_000, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider' and amount = 30000", id));
        Assert.Equal(1, await EntriesAsync(id));
    }

    [Fact]
    public async Task DOKU_QRIS_refund_notifications_confirm_refunds_and_a_back_office_refund_is_booked_once()
    {
        using var doku = new SimulatorControl(gerbang, "doku");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("doku", "qris", null, "ORDER-ONCE-DOKU", 100_000));
        var id = payment.Str("id");
        var reference = payment.Str("provider_reference");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        var net = 100_000 - paid.Long("fee");
        var invoice = reference["qris:".Length..];

        // Gerbang's refund: DOKU answers, then notifies the transaction with its refund history.
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 40_000 });
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        for (var i = 0; i < 100 && !(await doku.SentAsync(invoice)).Any(n => n.Body.Contains("refundHistory", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(await doku.SentAsync(invoice), n => n.Body.Contains("refundHistory", StringComparison.Ordinal));
        Assert.Equal(net - 40_000, await AvailableAsync(merchant));

        // Part is refunded in DOKU's back office: the status stays 00, the refund history grows, and the
        // notification (the same status as the payment's) is a new report, booked once.
        Assert.Equal(200, await doku.RefundAtProviderAsync(reference, 20_000));
        Assert.Equal(net - 60_000, await AvailableAsync(merchant));

        // The rest too: the transaction is 04 (refunded), and Gerbang books the difference.
        Assert.Equal(200, await doku.RefundAtProviderAsync(reference, null));
        Assert.Contains(await doku.SentAsync(invoice), n => n.Body.Contains("\"04\"", StringComparison.Ordinal));
        Assert.True(await doku.RedeliverAllAsync(invoice) >= 3);

        var after = await PaymentAsync(merchant, id);
        Assert.Equal(0, after.Long("amount_overpaid"));
        Assert.Equal(100_000, after.Long("amount_refunded"));
        Assert.Equal(net - 100_000, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider' and amount = 20000", id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider' and amount = 40000", id));
        Assert.Equal(1, await EntriesAsync(id));
        var books = (await doku.BooksAsync()).GetProperty("references");
        Assert.Equal(100_000, books.GetProperty(invoice).Long("refunded"));
    }

    [Fact]
    public async Task A_refund_the_provider_made_and_answered_with_a_5xx_is_confirmed_once_never_booked_again_as_the_providers_own()
    {
        using var xendit = new SimulatorControl(gerbang, "xendit");
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.Pinned("xendit", "qris", null, "ORDER-ONCE-5XX", 80_000));
        var id = payment.Str("id");
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        var net = 80_000 - paid.Long("fee");

        // Xendit refunds and answers the refund call with a 5xx; its refund.succeeded is lost for now.
        await xendit.KnobsAsync(new { error_after_acting = true, drop_notifications = true });
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{id}/refunds", new { amount = 30_000 });
        await gerbang.App.Services.GetRequiredService<Gerbang.Api.Jobs.JobWorker>().ProcessBatchAsync();
        await xendit.KnobsAsync(new { reset = true });
        for (var i = 0; i < 100 && !(await xendit.SentAsync(payment.Str("provider_reference"))).Any(n => n.Body.Contains("refund.succeeded", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        // Later Xendit retries everything it sent about the payment, the lost refund notification included.
        Assert.True(await xendit.RedeliverAllAsync(payment.Str("provider_reference")) >= 2);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1 and initiated_by = 'provider'", id));
        Assert.Equal(30_000, (await PaymentAsync(merchant, id)).Long("amount_refunded"));
        Assert.Equal("succeeded", await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed"));
        gerbang.Clock.Advance(TimeSpan.FromMinutes(10));
        await gerbang.App.Services.GetRequiredService<Gerbang.Api.Jobs.JobWorker>().ProcessBatchAsync();

        var after = await PaymentAsync(merchant, id);
        Assert.Equal(30_000, after.Long("amount_refunded"));
        Assert.Equal(net - 30_000, await AvailableAsync(merchant));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where payment_id = $1", id));
        await using var attempt = gerbang.Db.CreateCommand("select current_attempt_id from payments where id = $1");
        attempt.Parameters.Add(new() { Value = id });
        var reference = (string)(await attempt.ExecuteScalarAsync())!;
        Assert.Equal(30_000, (await xendit.BooksAsync()).GetProperty("references").GetProperty(reference).Long("refunded"));
    }
}

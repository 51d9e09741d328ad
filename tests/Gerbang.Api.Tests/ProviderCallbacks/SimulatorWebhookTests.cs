using System.Text;
using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.ProviderCallbacks;

public sealed class SimulatorWebhookTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private string Secret => gerbang.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Gerbang.Simulators.Generic.GenericSimulatorOptions>>().Value.WebhookSecret;

    private async Task<(TestMerchant Merchant, string PaymentId, string ProviderReference, string AttemptId)> PendingPaymentAsync(string order)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment(order, 150_000));
        var id = payment.Str("id");
        var reference = payment.Str("provider_reference");
        var attempt = gerbang.Simulator.Payments[reference].Reference;
        return (merchant, id, reference, attempt);
    }

    private byte[] PaidBody(string reference, string attempt, long paid, string? eventId = null) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
        new SimNotification(eventId ?? "sevt_" + Guid.NewGuid().ToString("N"), "payment.paid", gerbang.Clock.GetUtcNow().ToUnixTimeSeconds(),
            new SimNotificationData("payment", reference, attempt, "paid", 150_000, paid, "IDR")),
        SimulatorJson.Options));

    private async Task<int> PostAsync(byte[] body, string? signature)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/simulator") { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(GenericSignature.Header, signature);
        }

        using var response = await gerbang.Http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private Task<long> LedgerEntriesFor(string paymentId) =>
        gerbang.CountAsync("select count(*) from ledger_entries where reference like $1", $"payment:{paymentId}:%");

    [Fact]
    public async Task A_forged_notification_is_refused_with_401_and_changes_nothing()
    {
        var (merchant, id, reference, attempt) = await PendingPaymentAsync("ORDER-FORGED");
        gerbang.Simulator.Payments[reference].Status = "paid";
        var body = PaidBody(reference, attempt, 150_000);
        var before = await gerbang.CountAsync("select count(*) from provider_notifications");

        Assert.Equal(401, await PostAsync(body, GenericSignature.Compute("not-the-secret", gerbang.Clock.GetUtcNow().ToUnixTimeSeconds(), body)));
        Assert.Equal(401, await PostAsync(body, null));
        Assert.Equal(401, await PostAsync(body, "t=abc,v1=zz"));
        Assert.Equal(401, await PostAsync(body, GenericSignature.Compute(Secret, gerbang.Clock.GetUtcNow().AddMinutes(-6).ToUnixTimeSeconds(), body)));
        var tampered = PaidBody(reference, attempt, 150_000);
        Assert.Equal(401, await PostAsync(tampered, GenericSignature.Compute(Secret, gerbang.Clock.GetUtcNow().ToUnixTimeSeconds(), body)));

        Assert.Equal(before, await gerbang.CountAsync("select count(*) from provider_notifications"));
        var (_, payment) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal("pending", payment.Str("status"));
        Assert.Equal(0, await LedgerEntriesFor(id));
    }

    [Fact]
    public async Task A_duplicate_notification_writes_one_ledger_entry()
    {
        var (merchant, id, _, _) = await PendingPaymentAsync("ORDER-DUP-NOTE");
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        var sent = gerbang.App.Services.GetRequiredService<GenericNotifier>().Sent.Last(n => n.Body.Contains(id, StringComparison.Ordinal) || n.Body.Contains("paid", StringComparison.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await PostAsync(Encoding.UTF8.GetBytes(sent.Body), sent.Signature));
        }

        Assert.Equal(1, await LedgerEntriesFor(id));
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(146_000, balance.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task Concurrent_copies_of_a_new_notification_are_applied_once()
    {
        var (merchant, id, reference, attempt) = await PendingPaymentAsync("ORDER-CONCURRENT-NOTE");
        gerbang.Simulator.Payments[reference].Status = "paid";
        gerbang.Simulator.Payments[reference].PaidAmount = 150_000;
        var body = PaidBody(reference, attempt, 150_000);
        var signature = GenericSignature.Compute(Secret, gerbang.Clock.GetUtcNow().ToUnixTimeSeconds(), body);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => PostAsync(body, signature))));
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(1, await LedgerEntriesFor(id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.paid'", id));
        var (_, payment) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}");
        Assert.Equal("paid", payment.Str("status"));
    }

    [Fact]
    public async Task A_payment_of_a_different_amount_is_flagged_and_not_credited()
    {
        var (merchant, id, _, _) = await PendingPaymentAsync("ORDER-SHORT");
        var (status, payment, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", new { amount = 100_000 });
        Assert.Equal(200, status);
        Assert.Equal("pending", payment.Str("status"));
        Assert.Equal(0, await LedgerEntriesFor(id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from provider_notifications where payment_id = $1 and status = 'flagged' and flag_reason like 'amount_mismatch%'", id));
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(0, balance.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_notification_for_an_unknown_reference_is_stored_and_acknowledged()
    {
        var body = PaidBody("simpay_unknown", "att_unknown", 10_000);
        Assert.Equal(200, await PostAsync(body, GenericSignature.Compute(Secret, gerbang.Clock.GetUtcNow().ToUnixTimeSeconds(), body)));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from provider_notifications where status = 'unknown_reference' and body = $1", body));
    }

    [Fact]
    public async Task Money_after_expiry_makes_the_payment_paid_late_and_credits_it()
    {
        var (merchant, id, _, _) = await PendingPaymentAsync("ORDER-LATE");
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/expire", null);
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        Assert.True(paid.GetProperty("paid_late").GetBoolean());
        Assert.Equal(1, await LedgerEntriesFor(id));
        var (_, second, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/pay", null);
        Assert.Equal(150_000, second.Long("amount_overpaid"));
        Assert.Equal(2, await LedgerEntriesFor(id));
        var (_, balance) = await merchant.Client.GetJsonAsync("/v1/balance");
        Assert.Equal(146_000 + 150_000, balance.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_failed_payment_is_announced_and_credits_nothing()
    {
        var (merchant, id, _, _) = await PendingPaymentAsync("ORDER-FAIL");
        var (_, failed, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{id}/fail", null);
        Assert.Equal("failed", failed.Str("status"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where object_id = $1 and type = 'payment.failed'", id));
        Assert.Equal(0, await LedgerEntriesFor(id));
    }
}

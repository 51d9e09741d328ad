using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Webhooks;

public sealed class SubscriberDirectoryTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private SubscriberDirectory Directory => gerbang.App.Services.GetRequiredService<SubscriberDirectory>();

    [Fact]
    public async Task A_merchant_without_subscribers_is_learned_and_its_first_endpoint_gets_the_next_event_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("SUB-1"));
        await WaitUntilAsync(() => !Directory.MayHaveSubscribers(merchant.Id, Mode.Test));

        // Known to have nobody: the next event is written without fan-out, and still listed.
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("SUB-2"));
        Assert.Equal(2, await gerbang.CountAsync("select count(*) from events where merchant_id = $1 and type = 'payment.created'", merchant.Id));

        var (status, _, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        Assert.Equal(201, status);
        Assert.True(Directory.MayHaveSubscribers(merchant.Id, Mode.Test));

        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("SUB-3"));
        var delivered = await receiver.WaitForAsync(r => r.Text.Contains(payment.Str("id"), StringComparison.Ordinal));
        Assert.Contains("payment.created", delivered.Text, StringComparison.Ordinal);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task An_event_written_past_a_new_endpoint_is_caught_up_once_and_earlier_events_are_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("CATCH-BEFORE"));
        gerbang.Clock.Advance(TimeSpan.FromSeconds(1));
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        var job = await gerbang.CountAsync("select count(*) from jobs where kind = $1 and payload->>'endpoint_id' = $2", WebhookCatchUpJob.Kind, endpoint.Str("id"));
        Assert.Equal(1, job);

        // An instance that had not yet heard of the endpoint wrote these events without fan-out.
        gerbang.Clock.Advance(TimeSpan.FromSeconds(1));
        var missed = await WriteWithoutFanOutAsync(merchant.Id, "payment.created");
        var other = await WriteWithoutFanOutAsync(merchant.Id, "payment.paid");

        var handler = gerbang.App.Services.GetServices<Jobs.IJobHandler>().Single(h => h.Kind == WebhookCatchUpJob.Kind);
        var payload = await PayloadAsync(endpoint.Str("id"));
        await handler.HandleAsync(payload, CancellationToken.None);
        await handler.HandleAsync(payload, CancellationToken.None);

        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1 and endpoint_id = $2", missed, endpoint.Str("id")));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1", other));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where merchant_id = $1", merchant.Id));
        await receiver.WaitForAsync(r => r.Headers["webhook-id"] == missed);
    }

    private async Task<string> WriteWithoutFanOutAsync(string merchantId, string type)
    {
        await using var batch = gerbang.Db.CreateBatch();
        var id = EventWriter.Add(batch, merchantId, Mode.Test, type, "pay_missed", null, new { id = "pay_missed" }, gerbang.Clock.GetUtcNow(), fanOut: false);
        await batch.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<JsonElement> PayloadAsync(string endpointId)
    {
        await using var cmd = gerbang.Db.CreateCommand("select payload::text from jobs where kind = $1 and payload->>'endpoint_id' = $2");
        cmd.Parameters.Add(new() { Value = WebhookCatchUpJob.Kind });
        cmd.Parameters.Add(new() { Value = endpointId });
        return JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync())!).RootElement.Clone();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}

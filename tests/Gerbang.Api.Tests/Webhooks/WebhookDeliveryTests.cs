using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Webhooks;

public sealed class WebhookDeliveryTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task An_endpoint_that_was_down_receives_the_event_when_it_comes_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 503;
        var merchant = await gerbang.NewMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-RETRY"));
        var eventId = (await merchant.Client.GetJsonAsync("/v1/events?type=payment.created")).Body.GetProperty("data")[0].Str("id");

        // The first attempt and the immediate retry both fail; the next is due 5 s later.
        await WaitForAttemptsAsync(eventId, 2);

        // Nothing else is coming before the clock moves: the delivery is back at rest, due no sooner than 4 s from now.
        await WaitUntilIdleAsync(eventId);
        Assert.True(await gerbang.CountAsync(
            "select count(*) from webhook_deliveries where event_id = $1 and status = 'pending' and attempts = 2 and next_attempt_at >= $2::timestamptz + interval '4 seconds'",
            eventId, gerbang.Clock.GetUtcNow()) == 1);
        Assert.Equal(2, await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1", eventId));
        Assert.All(receiver.Received, r => Assert.Equal(eventId, r.Headers["webhook-id"]));

        receiver.Status = 200;
        gerbang.Clock.Advance(TimeSpan.FromSeconds(6));
        await gerbang.Dispatcher.ProcessBatchAsync();
        await WaitForAttemptsAsync(eventId, 3);

        var (_, deliveries) = await merchant.Client.GetJsonAsync($"/v1/events/{eventId}/deliveries");
        var attempts = deliveries.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(3, attempts.Count);
        Assert.True(attempts[0].GetProperty("succeeded").GetBoolean());
        Assert.Equal(503, attempts[1].GetProperty("http_status").GetInt32());
        Assert.Equal("succeeded", attempts[0].Str("delivery_status"));
        Assert.Equal(endpoint.Str("id"), attempts[0].Str("webhook_endpoint"));
        Assert.Equal(3, receiver.Received.Count(r => r.Headers["webhook-id"] == eventId));
        _ = payment;
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_ends_failed_after_the_whole_schedule_and_can_be_resent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500;
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DEAD"));
        var eventId = (await merchant.Client.GetJsonAsync("/v1/events?type=payment.created")).Body.GetProperty("data")[0].Str("id");
        await WaitForAttemptsAsync(eventId, 2);
        for (var i = 0; i < 20 && await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1", eventId) < 9; i++)
        {
            await WaitUntilIdleAsync(eventId);
            var wait = await gerbang.CountAsync("select coalesce(ceil(extract(epoch from max(next_attempt_at) - $2::timestamptz)), 0) from webhook_deliveries where event_id = $1 and status = 'pending'", eventId, gerbang.Clock.GetUtcNow());
            gerbang.Clock.Advance(TimeSpan.FromSeconds(Math.Max(0, wait) + 1));
            await gerbang.Dispatcher.ProcessBatchAsync();
        }

        await WaitForAttemptsAsync(eventId, 9);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1 and status = 'failed' and attempts = 9", eventId));

        receiver.Status = 200;
        var (status, resend, _) = await merchant.Client.PostJsonAsync($"/v1/events/{eventId}/resend", null);
        Assert.Equal(202, status);
        Assert.Single(resend.GetProperty("deliveries").EnumerateArray());
        await WaitForAttemptsAsync(eventId, 10);
        await receiver.WaitForAsync(r => r.Headers["webhook-id"] == eventId && receiver.Received.Count(x => x.Headers["webhook-id"] == eventId) == 10);
    }

    [Fact]
    public async Task Redirects_are_never_followed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 307;
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-REDIRECT"));
        var eventId = (await merchant.Client.GetJsonAsync("/v1/events?type=payment.created")).Body.GetProperty("data")[0].Str("id");
        await WaitForAttemptsAsync(eventId, 2);
        Assert.Equal(2, await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1 and http_status = 307 and not succeeded", eventId));
    }

    [Fact]
    public async Task Endpoints_can_be_listed_updated_and_deleted_and_never_show_their_secret_again()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, created, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "https://shop.example/hooks", enabled_events = new[] { "payment.paid" }, description = "shop" });
        var id = created.Str("id");
        var (_, got) = await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{id}");
        Assert.False(got.TryGetProperty("secret", out _));
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/webhook_endpoints/{id}") { Content = new StringContent("""{"enabled_events":["*"],"disabled":true}""", System.Text.Encoding.UTF8, "application/json") };
        using var patched = await merchant.Client.SendAsync(patch);
        var body = await TestApi.ReadAsync(patched);
        Assert.Equal("disabled", body.Str("status"));
        Assert.Equal("*", body.GetProperty("enabled_events")[0].GetString());
        var (_, list) = await merchant.Client.GetJsonAsync("/v1/webhook_endpoints");
        Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal(200, (int)(await merchant.Client.DeleteAsync($"/v1/webhook_endpoints/{id}")).StatusCode);
        Assert.Equal(404, (await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{id}")).Status);

        var (bad, problem, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "ftp://x", enabled_events = new[] { "payment.nope" } });
        Assert.Equal(400, bad);
        Assert.Equal(2, problem.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from webhook_endpoints where secret_sealed::text like '%whsec%'"));
    }

    /// <summary>Waits until no attempt is in flight, so moving the clock cannot expire a live lease.</summary>
    private async Task WaitUntilIdleAsync(string eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1 and leased_until is not null", eventId) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "a delivery stayed in flight");
            await Task.Delay(10);
        }
    }

    private async Task WaitForAttemptsAsync(string eventId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await gerbang.CountAsync("select count(*) from webhook_attempts where event_id = $1", eventId) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} attempts for {eventId}");
            await Task.Delay(25);
        }
    }
}

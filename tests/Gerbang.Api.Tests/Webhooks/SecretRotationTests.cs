using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Webhooks;

public sealed class SecretRotationTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task During_a_rotation_deliveries_are_signed_with_both_secrets_and_afterwards_with_the_new_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        var oldSecret = endpoint.Str("secret");
        var (status, rotated, _) = await merchant.Client.PostJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/rotate_secret", new { expires_in = 3600 });
        Assert.Equal(200, status);
        var newSecret = rotated.Str("secret");
        Assert.NotEqual(oldSecret, newSecret);

        var (_, p1, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-ROT-1"));
        var during = await receiver.WaitForAsync(r => r.Text.Contains(p1.Str("id"), StringComparison.Ordinal));
        var signatures = during.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(StandardWebhooksVerifier.Verify(newSecret, during.Headers["webhook-id"], during.Headers["webhook-timestamp"], during.Body, signatures[0]));
        Assert.True(StandardWebhooksVerifier.Verify(oldSecret, during.Headers["webhook-id"], during.Headers["webhook-timestamp"], during.Body, signatures[1]));

        gerbang.Clock.Advance(TimeSpan.FromHours(2));
        var (_, p2, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-ROT-2"));
        var after = await receiver.WaitForAsync(r => r.Text.Contains(p2.Str("id"), StringComparison.Ordinal));
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.True(StandardWebhooksVerifier.Verify(newSecret, after.Headers["webhook-id"], after.Headers["webhook-timestamp"], after.Body, after.Headers["webhook-signature"]));
        Assert.False(StandardWebhooksVerifier.Verify(oldSecret, after.Headers["webhook-id"], after.Headers["webhook-timestamp"], after.Body, after.Headers["webhook-signature"]));
    }

    [Fact]
    public async Task A_test_event_goes_to_that_endpoint_only()
    {
        await using var first = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = first.Url, enabled_events = new[] { "*" } });
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = second.Url, enabled_events = new[] { "*" } });
        var (status, evt, _) = await merchant.Client.PostJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/test", null);
        Assert.Equal(202, status);
        Assert.Equal("webhook_endpoint.test", evt.Str("type"));
        await first.WaitForAsync(r => r.Headers["webhook-id"] == evt.Str("id"));

        // Deliveries are written with their event, in one transaction: the test event has one, to this endpoint, so nothing can reach the other.
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1", evt.Str("id")));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_deliveries where event_id = $1 and endpoint_id = $2", evt.Str("id"), endpoint.Str("id")));
        Assert.DoesNotContain(second.Received, r => r.Headers["webhook-id"] == evt.Str("id"));
    }
}

public sealed class EndpointHealthTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task An_endpoint_failing_for_three_days_is_disabled_and_the_merchant_told_on_its_other_endpoints()
    {
        await using var dead = await WebhookReceiver.StartAsync();
        await using var alive = await WebhookReceiver.StartAsync();
        dead.Status = 500;
        var merchant = await gerbang.NewMerchantAsync();
        var (_, deadEndpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = dead.Url, enabled_events = new[] { "payment.created" } });
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = alive.Url, enabled_events = new[] { "webhook_endpoint.disabled" } });
        var id = deadEndpoint.Str("id");

        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DEAD-1"));
        await dead.WaitForAsync(_ => dead.Received.Count >= 2);

        // Both failures are recorded and nothing is in flight: the endpoint's fate after them is decided.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await gerbang.CountAsync("select count(*) from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1", id) < 2
            || await gerbang.CountAsync("select count(*) from webhook_deliveries where endpoint_id = $1 and leased_until is not null", id) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two failed attempts were not recorded");
            await Task.Delay(20);
        }

        Assert.Equal("enabled", (await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{id}")).Body.Str("status"));

        gerbang.Clock.Advance(TimeSpan.FromDays(3.1));
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-DEAD-2"));
        var notice = await alive.WaitForAsync(r => r.Text.Contains("webhook_endpoint.disabled", StringComparison.Ordinal));
        Assert.Contains(id, notice.Text, StringComparison.Ordinal);
        var (_, endpoint) = await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{id}");
        Assert.Equal("disabled", endpoint.Str("status"));
        Assert.Equal("failing", endpoint.Str("disabled_reason"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from events where merchant_id = $1 and type = 'webhook_endpoint.disabled'", merchant.Id));

        // The dashboard tells the merchant too.
        var (signedIn, dashboard) = await gerbang.DashboardSignInAsync(await gerbang.NewMerchantUserAsync(merchant), DashboardClients.MerchantUserPassword);
        using (dashboard)
        {
            Assert.Equal(302, (int)signedIn.StatusCode);
            var page = await dashboard.GetStringAsync("/dashboard/webhooks");
            Assert.Contains($"Gerbang disabled <span class=\"mono\">{dead.Url}</span> because every delivery to it failed for three days", page, StringComparison.Ordinal);
        }

        using var enable = new HttpRequestMessage(HttpMethod.Patch, $"/v1/webhook_endpoints/{id}") { Content = new StringContent("""{"disabled":false}""", System.Text.Encoding.UTF8, "application/json") };
        var body = await TestApi.ReadAsync(await merchant.Client.SendAsync(enable));
        Assert.Equal("enabled", body.Str("status"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("disabled_reason").ValueKind);
    }
}

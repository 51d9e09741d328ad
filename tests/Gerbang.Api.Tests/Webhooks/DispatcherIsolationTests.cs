using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Webhooks;

/// <summary>
/// A dispatcher that would poll only once an hour (anything delivered sooner was woken by NOTIFY), with
/// few slots, so that an endpoint allowed to take them all would starve everyone else.
/// </summary>
public sealed class NotifyOnlyFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Gerbang:Webhooks:PollInterval"] = "01:00:00";
        settings["Gerbang:Webhooks:Timeout"] = "00:00:03";
        settings["Gerbang:Webhooks:MaxConcurrency"] = "8";
        settings["Gerbang:Webhooks:PerEndpointConcurrency"] = "2";
    }
}

public sealed class DispatcherIsolationTests(NotifyOnlyFixture gerbang) : IClassFixture<NotifyOnlyFixture>
{
    [Fact]
    public async Task A_committed_event_wakes_the_dispatcher_without_waiting_for_a_poll()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.created" } });
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-NOTIFY"));
        await receiver.WaitForAsync(r => r.Text.Contains(payment.Str("id"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hanging_endpoint_does_not_hold_up_another_merchants_deliveries()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        slow.Delay = TimeSpan.FromSeconds(30);
        var stuck = await gerbang.NewMerchantAsync("Slow shop");
        var healthy = await gerbang.NewMerchantAsync("Fast shop");
        await stuck.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = slow.Url, enabled_events = new[] { "payment.created" } });
        await healthy.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = fast.Url, enabled_events = new[] { "payment.created" } });

        // More events for the hanging endpoint than the dispatcher has slots.
        for (var i = 0; i < 12; i++)
        {
            await stuck.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment($"ORDER-SLOW-{i}"));
        }

        var (_, payment, _) = await healthy.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-FAST"));
        await fast.WaitForAsync(r => r.Text.Contains(payment.Str("id"), StringComparison.Ordinal), TimeSpan.FromSeconds(2.5));
    }
}

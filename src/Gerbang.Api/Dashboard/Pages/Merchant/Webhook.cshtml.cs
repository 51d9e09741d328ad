using Gerbang.Api.Http;
using Gerbang.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>One webhook endpoint: its delivery log with a resend button per event, a test event, enable and disable.</summary>
public sealed class WebhookModel : DashboardPage
{
    public Result<WebhookEndpointView> Endpoint { get; private set; } = null!;

    public IReadOnlyList<EventEndpoints.DeliveryAttemptView> Deliveries { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        Endpoint = await WebhookEndpointEndpoints.GetAsync(id, Caller, db, Aborted);
        if (!Endpoint.Ok)
        {
            Response.StatusCode = Endpoint.Status;
            return Page();
        }

        Deliveries = (await WebhookEndpointEndpoints.DeliveriesAsync(id, Caller, db, Aborted)).Value?.Data ?? [];
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(string id, string @event) =>
        Done(
            await EventEndpoints.ResendAsync(@event, Body<ResendEventBody>.Of(new() { WebhookEndpoint = id }), Caller, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted),
            $"Event {@event} queued for delivery again.");

    public async Task<IActionResult> OnPostTestAsync(string id) =>
        Done(await WebhookEndpointEndpoints.SendTestAsync(id, Caller, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted), "Test event queued.");

    public async Task<IActionResult> OnPostEnabledAsync(string id, bool disabled) =>
        Done(
            await WebhookEndpointEndpoints.UpdateAsync(
                id, Body<WebhookEndpointUpdateBody>.Of(new() { Disabled = disabled }), Caller, Service<NpgsqlDataSource>(), Service<IHostResolver>(),
                Service<IOptions<WebhookDispatcherOptions>>(), Service<SubscriberDirectory>(), Service<TimeProvider>(), Aborted),
            disabled ? "Endpoint disabled." : "Endpoint enabled.");
}

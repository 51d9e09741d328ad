using Gerbang.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>One webhook endpoint: its delivery log with a resend button per event, a test event, enable and disable.</summary>
public sealed class WebhookModel : DashboardPage
{
    public ApiResult Endpoint { get; private set; } = null!;

    public ApiResult Deliveries { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        Endpoint = await CallAsync(h => WebhookEndpointEndpoints.GetAsync(id, h, db));
        Deliveries = Endpoint.Ok ? await CallAsync(h => WebhookEndpointEndpoints.DeliveriesAsync(id, h, db)) : Endpoint;
        if (!Endpoint.Ok)
        {
            Response.StatusCode = Endpoint.Status;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(string id, string @event)
    {
        var result = await CallAsync(h => EventEndpoints.ResendAsync(@event, h, Service<NpgsqlDataSource>(), Service<TimeProvider>()), Body(("webhook_endpoint", id)));
        return Done(result, $"Event {@event} queued for delivery again.");
    }

    public async Task<IActionResult> OnPostTestAsync(string id)
    {
        var result = await CallAsync(h => WebhookEndpointEndpoints.SendTestAsync(id, h, Service<NpgsqlDataSource>(), Service<TimeProvider>()));
        return Done(result, "Test event queued.");
    }

    public async Task<IActionResult> OnPostEnabledAsync(string id, bool disabled)
    {
        var result = await CallAsync(h => WebhookEndpointEndpoints.UpdateAsync(id, h, Service<NpgsqlDataSource>(), Service<IHostResolver>(), Service<TimeProvider>()), Body(("disabled", disabled)));
        return Done(result, disabled ? "Endpoint disabled." : "Endpoint enabled.");
    }
}

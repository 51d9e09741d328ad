using Gerbang.Api.Http;
using Gerbang.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The merchant's webhook endpoints; a new endpoint's signing secret is shown once, on this answer only.</summary>
public sealed class WebhooksModel : DashboardPage
{
    public IReadOnlyList<WebhookEndpointView> Endpoints { get; private set; } = [];

    public WebhookEndpointView? Created { get; private set; }

    public async Task OnGetAsync()
    {
        var list = await WebhookEndpointEndpoints.ListAsync(ListRequest.Of(("limit", "100")), Caller, Service<NpgsqlDataSource>(), Aborted);
        Endpoints = list.Value?.Data ?? [];
    }

    public async Task<IActionResult> OnPostCreateAsync(string? url, string? events, string? description)
    {
        var enabled = (events ?? "*").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var body = FormBody<WebhookEndpointBody>(("url", url), ("enabled_events", enabled.Length == 0 ? ["*"] : enabled), ("description", description));
        if (!body.Ok)
        {
            return Refused(body.Refusal);
        }

        var created = await WebhookEndpointEndpoints.CreateAsync(
            body.Value, Caller, AnswerKeeping.None, Service<NpgsqlDataSource>(), Service<SecretBox>(), Service<IHostResolver>(),
            Service<IOptions<WebhookDispatcherOptions>>(), Service<SubscriberDirectory>(), Service<TimeProvider>(), Aborted);
        if (!created.Ok)
        {
            return Refused(created.Refusal);
        }

        Created = created.Value;
        await OnGetAsync();
        return Page();
    }
}

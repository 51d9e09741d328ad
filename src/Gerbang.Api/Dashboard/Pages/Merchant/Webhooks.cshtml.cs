using Gerbang.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The merchant's webhook endpoints; a new endpoint's signing secret is shown once, on this answer only.</summary>
public sealed class WebhooksModel : DashboardPage
{
    public ApiResult Endpoints { get; private set; } = null!;

    public ApiResult? Created { get; private set; }

    public async Task OnGetAsync() => Endpoints = await CallAsync(h => WebhookEndpointEndpoints.ListAsync(h, Service<NpgsqlDataSource>()), query: new Dictionary<string, string?> { ["limit"] = "100" });

    public async Task<IActionResult> OnPostCreateAsync(string? url, string? events, string? description)
    {
        var enabled = (events ?? "*").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Created = await CallAsync(
            h => WebhookEndpointEndpoints.CreateAsync(h, Service<NpgsqlDataSource>(), Service<Http.SecretBox>(), Service<IHostResolver>(), Service<TimeProvider>()),
            Body(("url", url), ("enabled_events", enabled.Length == 0 ? ["*"] : enabled), ("description", description)));
        if (!Created.Ok)
        {
            return Done(Created, "");
        }

        await OnGetAsync();
        return Page();
    }
}

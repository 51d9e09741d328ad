using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>Payments across merchants for support: by merchant, status and mode, or one payment by id.</summary>
public sealed class PaymentsModel : DashboardPage
{
    public ApiResult? Payments { get; private set; }

    public ApiResult? Found { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? find, string? merchant, string? status, string? livemode, string? starting_after)
    {
        var db = Service<NpgsqlDataSource>();
        if (find?.Trim() is { Length: > 0 } id)
        {
            Found = await CallAsync(h => OperationsViewEndpoints.PaymentAsync(id, h, db, Service<GerbangUrls>()));
            if (Found.Ok)
            {
                return Page();
            }
        }

        Payments = await CallAsync(
            h => OperationsViewEndpoints.PaymentsAsync(h, db, Service<GerbangUrls>()),
            query: new Dictionary<string, string?> { ["merchant"] = merchant, ["status"] = status, ["livemode"] = livemode, ["starting_after"] = starting_after, ["limit"] = "50" });
        return Page();
    }
}

using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Gerbang.Api.Payments;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>Payments across merchants for support: by merchant, status and mode, or one payment by id.</summary>
public sealed class PaymentsModel : DashboardPage
{
    public Result<ListQuery.ListView<PaymentView>>? Payments { get; private set; }

    public Result<PaymentView>? Found { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? find, string? merchant, string? status, string? livemode, string? starting_after)
    {
        var db = Service<NpgsqlDataSource>();
        if (find?.Trim() is { Length: > 0 } id)
        {
            Found = await OperationsViewEndpoints.PaymentAsync(id, db, Service<GerbangUrls>(), Aborted);
            if (Found.Ok)
            {
                return Page();
            }
        }

        Payments = await OperationsViewEndpoints.PaymentsAsync(
            ListRequest.Of(("merchant", merchant), ("status", status), ("livemode", livemode), ("starting_after", starting_after), ("limit", "50")), db, Service<GerbangUrls>(), Aborted);
        return Page();
    }
}

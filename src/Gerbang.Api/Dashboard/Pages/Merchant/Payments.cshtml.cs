using Gerbang.Api.Http;
using Gerbang.Api.Payments;
using Microsoft.AspNetCore.Mvc;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The merchant's payments, newest first, with the API's filters and cursor paging.</summary>
public sealed class PaymentsModel : DashboardPage
{
    public static readonly string[] Statuses = ["pending", "requires_capture", "paid", "failed", "expired", "cancelled"];
    public static readonly string[] Methods = ["va", "qris", "card", "upi"];
    private static readonly string[] Params = ["status", "method", "order_id", "created[gte]", "created[lte]", "starting_after", "ending_before"];

    public Result<ListQuery.ListView<PaymentView>> Result { get; private set; } = null!;

    public string Q(string name) => Request.Query[name].ToString();

    public async Task<IActionResult> OnGetAsync(string? find)
    {
        if (find?.Trim() is { Length: > 0 } id)
        {
            return Redirect("/dashboard/payments/" + Uri.EscapeDataString(id));
        }

        Result = await PaymentEndpoints.ListAsync(ListRequest.Of([.. Params.Select(p => (p, (string?)Q(p)))]), Caller, Service<PaymentStore>(), Service<GerbangUrls>(), Aborted);
        return Page();
    }

    /// <summary>The same filters with one cursor changed, for the pager links.</summary>
    public string PageLink(string cursor, string id)
    {
        var query = Params.Where(p => p is not ("starting_after" or "ending_before") && Q(p).Length > 0).ToDictionary(p => p, p => (string?)Q(p));
        query[cursor] = id;
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/dashboard/payments", query);
    }
}

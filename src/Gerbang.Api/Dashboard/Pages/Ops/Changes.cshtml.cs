using Gerbang.Api.Admin;
using Gerbang.Api.Disbursements;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Ops;

/// <summary>
/// The four-eyes queue: changes another admin asked for (approve or reject; your own you may withdraw)
/// and live payouts held for review (release or reject).
/// </summary>
public sealed class ChangesModel : DashboardPage
{
    public ApiResult Pending { get; private set; } = null!;

    public ApiResult Decided { get; private set; } = null!;

    public ApiResult HeldPayouts { get; private set; } = null!;

    public string Me => User.FindFirst("sub")?.Value ?? "";

    public async Task OnGetAsync()
    {
        var fourEyes = Service<FourEyes>();
        Pending = await CallAsync(h => ChangeRequestEndpoints.ListAsync(h, fourEyes), query: new Dictionary<string, string?> { ["status"] = "pending", ["limit"] = "100" });
        Decided = await CallAsync(h => ChangeRequestEndpoints.ListAsync(h, fourEyes), query: new Dictionary<string, string?> { ["limit"] = "20" });
        HeldPayouts = await CallAsync(
            h => OperationsViewEndpoints.DisbursementsAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Service<IOptions<PayoutOptions>>()),
            query: new Dictionary<string, string?> { ["review"] = "required", ["limit"] = "100" });
    }

    public Task<IActionResult> OnPostDecideAsync(string change_request, string decision, string? reason) => ActAsync(AdminRoles.DecideChanges, async () =>
    {
        var result = await CallAsync(h => ChangeRequestEndpoints.DecideAsync(change_request, decision == "approve", h, Service<FourEyes>()), Body(("reason", reason)));
        return Done(result, decision == "approve" ? "Change approved and applied." : "Change request closed.");
    });

    public Task<IActionResult> OnPostPayoutAsync(string disbursement, string decision, string? reason) => ActAsync(AdminRoles.ReviewPayouts, async () =>
    {
        var result = await CallAsync(
            h => DisbursementReviewEndpoints.DecideAsync(disbursement, decision == "release", h, Service<NpgsqlDataSource>(), Service<PayoutSettlement>(), Service<AuditLog>(), Service<IOptions<FourEyesOptions>>(), Service<TimeProvider>()),
            Body(("reason", reason)));
        return Done(result, decision == "release" ? "Payout released: it is being sent." : "Payout rejected: the amount is back in the merchant's balance.");
    });

    private async Task<IActionResult> ActAsync(string permission, Func<Task<IActionResult>> act) => Can(permission) ? await act() : Denied();
}

using Gerbang.Api.Admin;
using Gerbang.Api.Disbursements;
using Gerbang.Api.Http;
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
    public IReadOnlyList<ChangeRequestView> Pending { get; private set; } = [];

    public IReadOnlyList<ChangeRequestView> Decided { get; private set; } = [];

    public IReadOnlyList<OperationsViewEndpoints.AdminDisbursementView> HeldPayouts { get; private set; } = [];

    public string Me => User.FindFirst("sub")?.Value ?? "";

    public async Task OnGetAsync()
    {
        var fourEyes = Service<FourEyes>();
        Pending = (await ChangeRequestEndpoints.ListAsync(ListRequest.Of(("status", "pending"), ("limit", "100")), fourEyes, Aborted)).Value?.Data ?? [];
        Decided = (await ChangeRequestEndpoints.ListAsync(ListRequest.Of(("limit", "20")), fourEyes, Aborted)).Value?.Data ?? [];
        HeldPayouts = (await OperationsViewEndpoints.DisbursementsAsync(
            ListRequest.Of(("review", "required"), ("limit", "100")), Service<NpgsqlDataSource>(), Service<TimeProvider>(), Service<IOptions<PayoutOptions>>(), Aborted)).Value?.Data ?? [];
    }

    public Task<IActionResult> OnPostDecideAsync(string change_request, string decision, string? reason) => ActAsync(AdminRoles.DecideChanges, async () =>
    {
        var form = FormBody<ReasonBody>(("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var result = await ChangeRequestEndpoints.DecideAsync(change_request, decision == "approve", form.Value, Actor, Service<FourEyes>(), Aborted);
        return Done(result, decision == "approve" ? "Change approved and applied." : "Change request closed.");
    });

    public Task<IActionResult> OnPostPayoutAsync(string disbursement, string decision, string? reason) => ActAsync(AdminRoles.ReviewPayouts, async () =>
    {
        var form = FormBody<ReasonBody>(("reason", reason));
        if (!form.Ok)
        {
            return Refused(form.Refusal);
        }

        var result = await DisbursementReviewEndpoints.DecideAsync(
            disbursement, decision == "release", form.Value, Actor, Service<NpgsqlDataSource>(), Service<PayoutSettlement>(), Service<AuditLog>(), Service<IOptions<FourEyesOptions>>(), Service<TimeProvider>(), Aborted);
        return Done(result, decision == "release" ? "Payout released: it is being sent." : "Payout rejected: the amount is back in the merchant's balance.");
    });

    private async Task<IActionResult> ActAsync(string permission, Func<Task<IActionResult>> act) => Can(permission) ? await act() : Denied();
}

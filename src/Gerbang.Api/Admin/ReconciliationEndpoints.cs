using Gerbang.Api.Http;
using Gerbang.Api.Reconciliation;

namespace Gerbang.Api.Admin;

public static class ReconciliationEndpoints
{
    /// <summary><c>POST /admin/v1/reconciliation/runs</c>: a full pass at once, answered with what it found and corrected.</summary>
    public static void MapReconciliation(this RouteGroupBuilder admin) =>
        admin.MapPost("/reconciliation/runs", RunAsync).RequireAuthorization(AdminRoles.RunReconciliation).WithTags("reconciliation")
            .Doc("runReconciliation", "Run a reconciliation", "Asks every provider about every open or recent payment and payout, and corrects Gerbang's books where the provider's differ.")
            .Body(new ReconciliationRunBody { Reason = "After the provider's outage" }, optional: true).Returns<ReconciliationReport>(201);

    private static async Task<ApiResponse> RunAsync(HttpContext http, Reconciler reconciler, AuditLog audit)
    {
        var (root, problem) = await RequestBody.ReadObjectAsync(http, emptyAllowed: true);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new Fields(root);
        var reason = fields.String("reason", required: false, minLength: 3, maxLength: 500);
        fields.RejectUnknown();
        if (fields.Errors.Count > 0)
        {
            return Problems.Validation(fields.Errors);
        }

        var report = await reconciler.RunAsync(full: true, http.RequestAborted);
        await audit.WriteAsync(
            AdminActor.Of(http),
            new AuditEntry("reconciliation.run", "reconciliation_run", report.Id, null, new { report.PaymentsChecked, report.PayoutsChecked, report.Corrected, report.Unanswered }, reason ?? "reconciliation run"),
            cancellationToken: http.RequestAborted);
        return ApiResponse.Ok(report, 201);
    }
}

public sealed record ReconciliationRunBody
{
    [System.ComponentModel.DataAnnotations.StringLength(500, MinimumLength = 3)]
    public string? Reason { get; init; }
}

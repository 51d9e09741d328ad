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

    internal static async Task<Result<ReconciliationReport>> RunAsync(Body<ReconciliationRunBody> body, AdminActor actor, Reconciler reconciler, AuditLog audit, CancellationToken cancellationToken)
    {
        var report = await reconciler.RunAsync(full: true, cancellationToken);
        await audit.WriteAsync(
            actor,
            new AuditEntry("reconciliation.run", "reconciliation_run", report.Id, null, new { report.PaymentsChecked, report.PayoutsChecked, report.Corrected, report.Unanswered }, body.Value.Reason ?? "reconciliation run"),
            cancellationToken: CancellationToken.None);
        return Result<ReconciliationReport>.Created(report);
    }
}

/// <summary>A run's body: all of it optional, even the body itself; a reason, when given, goes to the audit log.</summary>
public sealed record ReconciliationRunBody : IRequestBody<ReconciliationRunBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(500, MinimumLength = 3)]
    public string? Reason { get; init; }

    public static bool EmptyAllowed => true;

    public static ReconciliationRunBody? Read(Fields f)
    {
        var reason = f.String("reason", required: false, minLength: 3, maxLength: 500);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ReconciliationRunBody { Reason = reason };
    }
}

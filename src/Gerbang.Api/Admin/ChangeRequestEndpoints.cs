using Gerbang.Api.Http;

namespace Gerbang.Api.Admin;

/// <summary>
/// <c>/admin/v1/change_requests</c>: the changes that wait for a second admin, listed and decided.
/// Approving applies the change; the approver must be someone other than the one who asked.
/// </summary>
public static class ChangeRequestEndpoints
{
    public static readonly ListFilter[] ListFilters =
    [
        new("status", "Waiting, or how it was decided.", ["pending", "approved", "rejected", "cancelled"]),
        new("merchant", "The merchant it concerns."),
    ];

    public static void MapChangeRequests(this RouteGroupBuilder admin)
    {
        var requests = admin.MapGroup("/change_requests").WithTags("admin changes");
        requests.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listChangeRequests", "List change requests").Lists<ChangeRequestView>(ListFilters);
        requests.MapGet("/{id}", GetAsync).RequireAuthorization(AdminRoles.ViewOperations)
            .Doc("getChangeRequest", "Get a change request").Returns<ChangeRequestView>().NotFound();
        requests.MapPost("/{id}/approve", ApproveAsync).RequireAuthorization(AdminRoles.DecideChanges)
            .Doc("approveChangeRequest", "Approve a change request", "Applies the change; the admin who asked cannot approve it.")
            .Body(new ReasonBody { Reason = "Matches the bank letter" }).Returns<ChangeRequestView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "change_request_decided", "change_request_stale");
        requests.MapPost("/{id}/reject", RejectAsync).RequireAuthorization(AdminRoles.DecideChanges)
            .Doc("rejectChangeRequest", "Reject or withdraw a change request", "Another admin rejects it; the one who asked may withdraw it.")
            .Body(new ReasonBody { Reason = "The account holder does not match" }).Returns<ChangeRequestView>().NotFound()
            .Fails(400, "reason_required").Fails(409, "change_request_decided");
    }

    /// <summary>Newest first; <c>starting_after</c> pages on.</summary>
    internal static async Task<Result<ListQuery.ListView<ChangeRequestView>>> ListAsync(ListRequest request, FourEyes fourEyes, CancellationToken cancellationToken)
    {
        var parsed = request.Read(ListFilters);
        if (!parsed.Ok)
        {
            return parsed.Refusal;
        }

        var query = parsed.Value;
        var (rows, hasMore) = await fourEyes.ListAsync(query.Filters.GetValueOrDefault("status"), query.Filters.GetValueOrDefault("merchant"), query.Limit, query.StartingAfter, cancellationToken);
        return ListQuery.View(rows, hasMore, "/admin/v1/change_requests");
    }

    internal static async Task<Result<ChangeRequestView>> GetAsync(string id, FourEyes fourEyes, CancellationToken cancellationToken) =>
        await fourEyes.FindAsync(id, cancellationToken) is { } found ? found : Refusal.NotFound("change_request");

    internal static Task<Result<ChangeRequestView>> ApproveAsync(string id, Body<ReasonBody> body, AdminActor actor, FourEyes fourEyes, CancellationToken cancellationToken) =>
        DecideAsync(id, true, body, actor, fourEyes, cancellationToken);

    internal static Task<Result<ChangeRequestView>> RejectAsync(string id, Body<ReasonBody> body, AdminActor actor, FourEyes fourEyes, CancellationToken cancellationToken) =>
        DecideAsync(id, false, body, actor, fourEyes, cancellationToken);

    /// <summary>Approves (and applies) or rejects the change; the one who asked may only withdraw it.</summary>
    internal static Task<Result<ChangeRequestView>> DecideAsync(string id, bool approve, Body<ReasonBody> body, AdminActor actor, FourEyes fourEyes, CancellationToken cancellationToken) =>
        fourEyes.DecideAsync(id, approve, actor, body.Value.Reason, cancellationToken);
}

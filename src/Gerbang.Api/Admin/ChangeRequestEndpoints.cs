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
        requests.MapGet("/{id}", async (string id, HttpContext http, FourEyes fourEyes) =>
            await fourEyes.FindAsync(id, http.RequestAborted) is { } found ? ApiResponse.Ok(found) : Problems.NotFound("change_request")).RequireAuthorization(AdminRoles.ViewOperations)
            .Doc("getChangeRequest", "Get a change request").Returns<ChangeRequestView>().NotFound();
        requests.MapPost("/{id}/approve", (string id, HttpContext http, FourEyes fourEyes) => DecideAsync(id, true, http, fourEyes)).RequireAuthorization(AdminRoles.DecideChanges)
            .Doc("approveChangeRequest", "Approve a change request", "Applies the change; the admin who asked cannot approve it.")
            .Body(new ReasonBody { Reason = "Matches the bank letter" }).Returns<ChangeRequestView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "change_request_decided", "change_request_stale");
        requests.MapPost("/{id}/reject", (string id, HttpContext http, FourEyes fourEyes) => DecideAsync(id, false, http, fourEyes)).RequireAuthorization(AdminRoles.DecideChanges)
            .Doc("rejectChangeRequest", "Reject or withdraw a change request", "Another admin rejects it; the one who asked may withdraw it.")
            .Body(new ReasonBody { Reason = "The account holder does not match" }).Returns<ChangeRequestView>().NotFound()
            .Fails(400, "reason_required").Fails(409, "change_request_decided");
    }

    internal static async Task<ApiResponse> ListAsync(HttpContext http, FourEyes fourEyes)
    {
        if (ListQuery.Parse(http.Request, ListFilters, out var problem) is not { } query)
        {
            return problem!;
        }

        var (rows, hasMore) = await fourEyes.ListAsync(query.Filters.GetValueOrDefault("status"), query.Filters.GetValueOrDefault("merchant"), query.Limit, query.StartingAfter, http.RequestAborted);
        return ListQuery.Answer(rows, hasMore, "/admin/v1/change_requests");
    }

    internal static async Task<ApiResponse> DecideAsync(string id, bool approve, HttpContext http, FourEyes fourEyes)
    {
        var (reason, problem) = await ChangeRequest.ReadReasonAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        return await fourEyes.DecideAsync(id, approve, AdminActor.Of(http), reason!, http.RequestAborted);
    }
}

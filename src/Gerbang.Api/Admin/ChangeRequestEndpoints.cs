using Gerbang.Api.Http;

namespace Gerbang.Api.Admin;

/// <summary>
/// <c>/admin/v1/change_requests</c>: the changes that wait for a second admin, listed and decided.
/// Approving applies the change; the approver must be someone other than the one who asked.
/// </summary>
public static class ChangeRequestEndpoints
{
    private static readonly string[] Statuses = ["pending", "approved", "rejected", "cancelled"];

    public static void MapChangeRequests(this RouteGroupBuilder admin)
    {
        var requests = admin.MapGroup("/change_requests");
        requests.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ViewOperations);
        requests.MapGet("/{id}", async (string id, HttpContext http, FourEyes fourEyes) =>
            await fourEyes.FindAsync(id, http.RequestAborted) is { } found ? ApiResponse.Ok(found) : Problems.NotFound("change_request")).RequireAuthorization(AdminRoles.ViewOperations);
        requests.MapPost("/{id}/approve", (string id, HttpContext http, FourEyes fourEyes) => DecideAsync(id, true, http, fourEyes)).RequireAuthorization(AdminRoles.DecideChanges);
        requests.MapPost("/{id}/reject", (string id, HttpContext http, FourEyes fourEyes) => DecideAsync(id, false, http, fourEyes)).RequireAuthorization(AdminRoles.DecideChanges);
    }

    internal static async Task<ApiResponse> ListAsync(HttpContext http, FourEyes fourEyes)
    {
        if (ListQuery.Parse(http.Request, ["status", "merchant"], new Dictionary<string, IReadOnlyList<string>> { ["status"] = Statuses }, out var problem) is not { } query)
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

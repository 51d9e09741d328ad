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
        var query = http.Request.Query;
        var errors = new List<FieldError>();
        var status = query["status"].ToString();
        if (status.Length > 0 && !Statuses.Contains(status))
        {
            errors.Add(new FieldError("status", "parameter_invalid", "status must be one of pending, approved, rejected, cancelled."));
        }

        var limit = 10;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], out limit) || limit is < 1 or > 100))
        {
            errors.Add(new FieldError("limit", "parameter_out_of_range", "limit must be an integer from 1 to 100."));
        }

        foreach (var key in query.Keys.Where(k => k is not ("status" or "merchant" or "limit" or "starting_after")))
        {
            errors.Add(new FieldError(key, "parameter_unknown", $"{key} is not a filter of change requests."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (rows, hasMore) = await fourEyes.ListAsync(status, query["merchant"].ToString(), limit, query["starting_after"].ToString(), http.RequestAborted);
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

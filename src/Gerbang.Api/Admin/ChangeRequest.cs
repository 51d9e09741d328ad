using Gerbang.Api.Http;

namespace Gerbang.Api.Admin;

/// <summary>
/// The body of an admin change: strict fields plus the <c>reason</c> every change must carry, which
/// goes to the audit log with it.
/// </summary>
public static class ChangeRequest
{
    public static async Task<(Fields? Fields, string? Reason, ApiResponse? Problem)> ReadAsync(HttpContext http, bool emptyAllowed = false)
    {
        var (root, problem) = await RequestBody.ReadObjectAsync(http, emptyAllowed);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var fields = new Fields(root);
        var reason = fields.String("reason", required: false, minLength: 3, maxLength: 500);
        if (reason is null && !fields.Errors.Any(e => e.Param == "reason"))
        {
            fields.Add("reason", "reason_required", "Every admin change needs a reason (3 to 500 characters); it goes to the audit log.");
        }

        return (fields, reason, null);
    }

    /// <summary>
    /// The <c>reason</c> of a typed admin body, read with the checks every change has: 3 to 500
    /// characters, and <c>reason_required</c> when it is missing.
    /// </summary>
    public static string Reason(Fields fields)
    {
        var reason = fields.String("reason", required: false, minLength: 3, maxLength: 500);
        if (reason is null && !fields.Errors.Any(e => e.Param == "reason"))
        {
            fields.Add("reason", "reason_required", "Every admin change needs a reason (3 to 500 characters); it goes to the audit log.");
        }

        return reason ?? "";
    }

    /// <summary>A change whose body carries nothing but its reason.</summary>
    public static async Task<(string? Reason, ApiResponse? Problem)> ReadReasonAsync(HttpContext http)
    {
        var (f, reason, problem) = await ReadAsync(http);
        return (reason, problem ?? Check(f!));
    }

    /// <summary>After reading every field: the problem to answer, if any field was wrong.</summary>
    public static ApiResponse? Check(Fields fields)
    {
        fields.RejectUnknown();
        return fields.Errors.Count > 0 ? Problems.Validation(fields.Errors) : null;
    }
}

/// <summary>The body of an admin change: the reason every change carries, and whatever a derived body adds.</summary>
public record ReasonBody : IRequestBody<ReasonBody>
{
    [System.ComponentModel.Description("Why: 3 to 500 characters, kept in the audit log with the change.")]
    [System.ComponentModel.DataAnnotations.StringLength(500, MinimumLength = 3)]
    public required string Reason { get; init; }

    public static ReasonBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ReasonBody { Reason = reason };
    }
}

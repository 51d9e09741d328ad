using Gerbang.Api.Http;

namespace Gerbang.Api.Admin;

/// <summary>
/// The body of an admin change: strict fields plus the <c>reason</c> every change must carry, which
/// goes to the audit log with it.
/// </summary>
public static class ChangeRequest
{
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

namespace Gerbang.Api.Http;

public sealed record FieldError(string Param, string Code, string Message);

/// <summary>
/// RFC 9457 problem details with a stable <c>code</c>. Expected failures are values built here and
/// mapped to HTTP in this one place; nothing else writes an error body.
/// </summary>
public static class Problems
{
    private static readonly Dictionary<int, string> Titles = new()
    {
        [400] = "Invalid request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not found",
        [405] = "Method not allowed",
        [409] = "Conflict",
        [413] = "Request body too large",
        [415] = "Unsupported media type",
        [422] = "Request refused",
        [429] = "Too many requests",
        [500] = "Internal error",
        [502] = "Provider error",
        [503] = "Service unavailable",
        [504] = "Provider timeout",
    };

    public static ApiResponse Create(int status, string code, string detail, string? param = null, IReadOnlyList<FieldError>? errors = null, IReadOnlyDictionary<string, object?>? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = "https://gerbang.dev/errors/" + code,
            ["title"] = Titles.GetValueOrDefault(status, "Error"),
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
        };
        if (param is not null)
        {
            body["param"] = param;
        }

        if (errors is { Count: > 0 })
        {
            body["errors"] = errors.Select(e => new Dictionary<string, string> { ["param"] = e.Param, ["code"] = e.Code, ["detail"] = e.Message }).ToList();
        }

        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                body[k] = v;
            }
        }

        body["request_id"] = RequestIds.Current;
        return new ApiResponse(status, ApiJson.Serialize(body), ApiResponse.ProblemJson);
    }

    public static ApiResponse Validation(IReadOnlyList<FieldError> errors) => Refusal.Invalid(errors).Answer();

    public static ApiResponse NotFound(string what) => Refusal.NotFound(what).Answer();

    public static ApiResponse Unauthorized(string detail = "A valid secret key is required.") => Create(401, "unauthorized", detail);
}

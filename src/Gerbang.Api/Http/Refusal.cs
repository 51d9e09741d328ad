namespace Gerbang.Api.Http;

/// <summary>
/// A handler's refusal as the contract states it: status, code, what happened for a person, and the
/// field at fault (or, for a request with several wrong fields, each of them).
/// </summary>
public sealed record Refusal(int Status, string Code, string Detail, string? Param = null, IReadOnlyList<FieldError>? Errors = null)
{
    public static Refusal NotFound(string what) => new(404, "resource_missing", $"No such {what}.");

    /// <summary>Fields a strict reader refused: one field's own code, or <c>invalid_request</c> listing them all.</summary>
    public static Refusal Invalid(IReadOnlyList<FieldError> errors) =>
        errors.Count == 1
            ? new(400, errors[0].Code, errors[0].Message, errors[0].Param)
            : new(400, "invalid_request", $"{errors.Count} fields are invalid.", errors[0].Param, errors);

    public ApiResponse Answer() => Problems.Create(Status, Code, Detail, Param, Errors);

    /// <summary>For a person: the detail, then each field's message.</summary>
    public override string ToString() =>
        Errors is { Count: > 0 } ? string.Join(" ", Errors.Select(e => e.Message).Prepend(Detail).Distinct()) : Detail;
}

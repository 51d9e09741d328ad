namespace Gerbang.Api.Http;

/// <summary>A handler's refusal as the contract states it: status, code, what happened for a person, and the field at fault.</summary>
public sealed record Refusal(int Status, string Code, string Detail, string? Param = null)
{
    public ApiResponse Answer() => Problems.Create(Status, Code, Detail, Param);
}

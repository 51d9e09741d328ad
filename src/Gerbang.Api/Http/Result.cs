using System.Diagnostics.CodeAnalysis;

namespace Gerbang.Api.Http;

/// <summary>Whatever an endpoint returns, as the HTTP answer it gives (what idempotency keeps byte for byte).</summary>
public interface IApiAnswer
{
    ApiResponse Response { get; }
}

/// <summary>
/// A handler's outcome: the value it produced (with the status that says how: 200, 201 created, 202
/// accepted) or the refusal the contract names. Handlers return it without knowing about HTTP; an
/// endpoint returns it as is, and the dashboard reads <see cref="Value"/> or <see cref="Refusal"/>.
/// </summary>
public sealed class Result<T> : IResult, IStatusCodeHttpResult, IApiAnswer
{
    private ApiResponse? _response;

    private Result(T? value, int status, Refusal? refusal)
    {
        Value = value;
        Status = status;
        Refusal = refusal;
    }

    public T? Value { get; }

    public Refusal? Refusal { get; }

    public int Status { get; }

    int? IStatusCodeHttpResult.StatusCode => Status;

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Ok => Refusal is null;

    /// <summary>The answer, made once: the bytes written are the bytes an idempotent replay sends.</summary>
    public ApiResponse Response => _response ??= Refusal?.Answer() ?? ApiResponse.Ok(Value, Status);

    public static implicit operator Result<T>(T value) => new(value, 200, null);

    public static implicit operator Result<T>(Refusal refusal) => new(default, refusal.Status, refusal);

    public static Result<T> Created(T value) => new(value, 201, null);

    public static Result<T> Accepted(T value) => new(value, 202, null);

    /// <summary>The same outcome with the value made into another (a row into its view).</summary>
    public Result<TOut> Map<TOut>(Func<T, TOut> map) => Ok ? new(map(Value), Status, null) : new(default, Status, Refusal);

    public Task ExecuteAsync(HttpContext httpContext) => Response.ExecuteAsync(httpContext);
}

namespace Gerbang.Api.Http;

/// <summary>
/// Every /v1 answer: a status and the exact bytes of its body. Keeping the bytes lets an idempotent
/// replay send the first response byte for byte.
/// </summary>
public sealed class ApiResponse(int statusCode, byte[] body, string contentType = ApiResponse.Json) : IResult, IStatusCodeHttpResult, IApiAnswer
{
    public const string Json = "application/json; charset=utf-8";
    public const string ProblemJson = "application/problem+json; charset=utf-8";

    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public byte[] Body { get; } = body;

    ApiResponse IApiAnswer.Response => this;

    public string ContentType { get; } = contentType;

    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public static ApiResponse Ok<T>(T value, int status = 200) => new(status, ApiJson.Serialize(value));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        // The exception handler clears headers before it answers, so every response sets its id again.
        if (RequestIds.Current is { } requestId)
        {
            response.Headers["Request-Id"] = requestId;
        }

        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body).AsTask();
    }
}

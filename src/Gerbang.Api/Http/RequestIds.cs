using Gerbang.Domain;

namespace Gerbang.Api.Http;

/// <summary>Gives every request an id, returned in <c>Request-Id</c> and quoted in every error body.</summary>
public static class RequestIds
{
    private static readonly AsyncLocal<string?> CurrentId = new();

    public static string? Current => CurrentId.Value;

    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var id = "req_" + Ids.RandomBase62(20);
        CurrentId.Value = id;
        context.TraceIdentifier = id;
        context.Response.Headers["Request-Id"] = id;
        return next(context);
    });
}

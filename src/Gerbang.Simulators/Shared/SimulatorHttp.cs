using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Simulators.Shared;

/// <summary>What the simulated providers' HTTP sides have in common: Basic authentication, raw bodies, where notifications go.</summary>
public static class SimulatorHttp
{
    /// <summary>
    /// An endpoint filter requiring <c>Authorization: Basic user:password</c>, compared in constant time;
    /// <paramref name="credentials"/> answers null while the simulator has no credentials, and then
    /// everything is refused with <paramref name="unauthorized"/> (401).
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Basic<TOptions>(
        Func<TOptions, (string User, string Password)?> credentials, JsonObject unauthorized)
        where TOptions : class =>
        async (context, next) =>
        {
            var http = context.HttpContext;
            return credentials(http.RequestServices.GetRequiredService<IOptions<TOptions>>().Value) is { } c
                && CryptographicOperations.FixedTimeEquals(
                    Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString()),
                    Encoding.UTF8.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(c.User + ":" + c.Password))))
                ? await next(context)
                : Results.Json(unauthorized, statusCode: 401);
        };

    /// <summary>The request body as sent, left readable for the endpoint (signatures are checked over these bytes).</summary>
    public static async Task<byte[]> RawBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return buffer.ToArray();
    }

    /// <summary>Where notifications go: the configured URL, else the gateway the simulator is mounted in, at <paramref name="path"/>.</summary>
    public static Uri NotificationUrl(HttpRequest request, string? configured, string path) =>
        Uri.TryCreate(configured, UriKind.Absolute, out var url) ? url : new Uri($"{request.Scheme}://{request.Host}{path}");
}

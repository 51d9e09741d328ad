namespace Gerbang.Api.Http;

/// <summary>
/// Turns everything that is not a handler's own answer into problem details: unknown routes, wrong
/// methods, authentication challenges, malformed HTTP, and (as one generic 500 quoting only the
/// request id) unexpected exceptions.
/// </summary>
public static partial class ErrorHandling
{
    public static IApplicationBuilder UseGerbangErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var feature = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
            var response = feature?.Error is BadHttpRequestException bad
                ? Problems.Create(bad.StatusCode, bad.StatusCode == 413 ? "body_too_large" : "bad_request", "The HTTP request could not be read.")
                : Problems.Create(500, "internal_error", "Something went wrong on our side. Quote the request_id if you contact support.");
            if (response.StatusCode == 500 && feature?.Error is { } ex)
            {
                LogUnhandled(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gerbang.Errors"), ex.GetType().Name, context.Request.Path);
            }

            await response.ExecuteAsync(context);
        }));
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var code = context.Response.StatusCode;
            var (problemCode, detail) = code switch
            {
                401 => ("unauthorized", "Authentication is required."),
                403 => ("forbidden", "You are not allowed to do this."),
                404 => ("not_found", "No such route."),
                405 => ("method_not_allowed", "This route does not accept that method."),
                415 => ("unsupported_media_type", "Send the body as application/json."),
                _ => ("http_" + code, "The request could not be served."),
            };
            await Problems.Create(code, problemCode, detail).ExecuteAsync(context);
        });
        app.Use((context, next) =>
        {
            // A query value with an encoded NUL cannot be compared with any stored text; Kestrel
            // already refuses one in the path.
            var raw = context.Request.QueryString.Value;
            if (raw is null || !raw.Contains("%00", StringComparison.Ordinal))
            {
                return next(context);
            }

            foreach (var (name, values) in context.Request.Query)
            {
                if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
                {
                    var param = name.Replace("\0", "", StringComparison.Ordinal);
                    return Problems.Create(400, "parameter_invalid_string", $"{param} contains a NUL character.", param).ExecuteAsync(context);
                }
            }

            return next(context);
        });
        return app;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} on {Path}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, PathString path);
}

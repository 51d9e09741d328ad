namespace Gerbang.Api.Http;

/// <summary>
/// Every HTML page Gerbang serves carries a content security policy (with <c>frame-ancestors</c>),
/// <c>X-Content-Type-Options: nosniff</c> and a <c>Referrer-Policy</c>. Pages that set their own (the
/// dashboard, hosted checkout) keep theirs; any other HTML answer (the API docs, an error page) gets
/// these defaults as it starts.
/// </summary>
public static class SecurityHeaders
{
    public const string DefaultPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var response = context.Response;
            if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                var headers = response.Headers;
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = DefaultPolicy;
                }

                if (string.IsNullOrEmpty(headers.XContentTypeOptions))
                {
                    headers.XContentTypeOptions = "nosniff";
                }

                if (!headers.ContainsKey("Referrer-Policy"))
                {
                    headers["Referrer-Policy"] = "no-referrer";
                }
            }

            return Task.CompletedTask;
        });
        await next();
    });
}

using Gerbang.Api.Http;

namespace Gerbang.Api.Merchants;

/// <summary>
/// The /v1 route group's gate, in the order the contract needs: authenticate (before the endpoint's
/// parameters are bound, so a handler is handed its caller), take the body (413, 415), then
/// idempotency, then the body's strict reading. Anything refused before idempotency never touches the key.
/// </summary>
public static class MerchantApi
{
    public static RouteGroupBuilder MapMerchantApi(this IEndpointRouteBuilder routes) =>
        (RouteGroupBuilder)routes.MapGroup("/v1").WithMetadata(new MerchantKeyRequired()).RequireRateLimiting(RateLimits.Merchant)
            .AddEndpointFilter(GateAsync).ReadsBodies().CalledBy(ApiCaller.Merchant);

    /// <summary>Authenticates the merchant key of every endpoint that needs one and attaches its <see cref="MerchantContext"/>.</summary>
    public static IApplicationBuilder UseMerchantAuthentication(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<MerchantKeyRequired>() is null)
            {
                await next(context);
                return;
            }

            var (merchant, problem) = await context.RequestServices.GetRequiredService<MerchantAuthenticator>().AuthenticateAsync(context.Request);
            if (problem is not null)
            {
                await problem.ExecuteAsync(context);
                return;
            }

            merchant!.Attach(context);
            await next(context);
        });

    private static async ValueTask<object?> GateAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        var merchant = MerchantContext.Of(context);
        var method = context.Request.Method;
        var writes = HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || HttpMethods.IsPut(method);
        if (writes && await RequestBody.BufferAsync(context) is { } bodyProblem)
        {
            return bodyProblem;
        }

        if (!HttpMethods.IsPost(method) || !context.Request.Headers.TryGetValue(Idempotency.Header, out var keyValues))
        {
            return await next(invocation);
        }

        var key = keyValues.ToString();
        if (!Idempotency.IsValidKey(key))
        {
            return Problems.Create(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 printable ASCII characters.", Idempotency.Header);
        }

        var idempotency = services.GetRequiredService<Idempotency>();
        if (await idempotency.BeginAsync(context, merchant, key, RequestBody.Buffered(context) ?? []) is { } early)
        {
            return early;
        }

        object? result = null;
        try
        {
            result = await next(invocation);
            return result;
        }
        finally
        {
            await idempotency.FinishAsync(context, (result as IApiAnswer)?.Response);
        }
    }
}

/// <summary>Marks the endpoints that answer only to a merchant's secret key.</summary>
public sealed record MerchantKeyRequired;

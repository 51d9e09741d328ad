using Gerbang.Api.Http;

namespace Gerbang.Api.Merchants;

/// <summary>
/// The /v1 route group's gate, in the order the contract needs: authenticate, take the body (413,
/// 415), then idempotency. Anything refused here never touches the idempotency key.
/// </summary>
public static class MerchantApi
{
    public static RouteGroupBuilder MapMerchantApi(this IEndpointRouteBuilder routes) =>
        (RouteGroupBuilder)routes.MapGroup("/v1").RequireRateLimiting(RateLimits.Merchant).AddEndpointFilter(GateAsync).ReadsBodies().CalledBy(ApiCaller.Merchant);

    private static async ValueTask<object?> GateAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        var (merchant, problem) = await services.GetRequiredService<MerchantAuthenticator>().AuthenticateAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        merchant!.Attach(context);
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

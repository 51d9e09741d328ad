using System.Reflection;

namespace Gerbang.Api.Http;

/// <summary>A request body that reads itself strictly from its fields (unknown fields refused, each error named).</summary>
public interface IRequestBody<TSelf>
    where TSelf : class, IRequestBody<TSelf>
{
    /// <summary>Whether an empty body stands for an empty object (a body whose every field is optional).</summary>
    static virtual bool EmptyAllowed => false;

    /// <summary>The body, or null with the reasons in <paramref name="f"/>'s errors.</summary>
    static abstract TSelf? Read(Fields f);
}

/// <summary>A body parameter, read by <see cref="BodyReading"/> once the route's gate has let the request in.</summary>
public interface IBoundBody
{
    Task<ApiResponse?> ReadAsync(HttpContext http);
}

/// <summary>
/// A handler's typed request body. An endpoint declares it as a parameter; it is read after
/// authentication (so a stranger gets 401, not a parse error) and before the handler runs, and a body
/// that fails the strict reader is answered with its problem and never reaches the handler. Callers
/// without HTTP (the dashboard) hand one over with <see cref="Of"/>.
/// </summary>
public sealed class Body<T> : IBoundBody
    where T : class, IRequestBody<T>
{
    private T? _value;

    public T Value => _value ?? throw new InvalidOperationException("The body was not read.");

    public static Body<T> Of(T value) => new() { _value = value };

    public static ValueTask<Body<T>?> BindAsync(HttpContext http, ParameterInfo parameter) => ValueTask.FromResult<Body<T>?>(new Body<T>());

    async Task<ApiResponse?> IBoundBody.ReadAsync(HttpContext http)
    {
        var (root, problem) = await RequestBody.ReadObjectAsync(http, T.EmptyAllowed);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new Fields(root)
        {
            Live = MerchantContext.Find(http)?.Livemode ?? false,
            Now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
        };
        _value = T.Read(fields);
        return _value is not null ? null
            : fields.Errors.Count > 0 ? Problems.Validation(fields.Errors)
            : Problems.Create(400, "invalid_request", "The request body was refused.");
    }
}

public static class BodyReading
{
    /// <summary>Reads each <see cref="Body{T}"/> parameter of the group's endpoints (only those that have one pay for it).</summary>
    public static TBuilder ReadsBodies<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var bodies = factory.MethodInfo.GetParameters()
                .Select((p, i) => (p, i))
                .Where(x => typeof(IBoundBody).IsAssignableFrom(x.p.ParameterType))
                .Select(x => x.i)
                .ToArray();
            if (bodies.Length == 0)
            {
                return next;
            }

            return async invocation =>
            {
                foreach (var i in bodies)
                {
                    if (invocation.Arguments[i] is IBoundBody body && await body.ReadAsync(invocation.HttpContext) is { } problem)
                    {
                        return problem;
                    }
                }

                return await next(invocation);
            };
        });
}

/// <summary>The body of an action that takes no fields: empty, or an object with none.</summary>
public sealed record EmptyBody : IRequestBody<EmptyBody>
{
    public static readonly EmptyBody Instance = new();

    public static bool EmptyAllowed => true;

    public static EmptyBody? Read(Fields f)
    {
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : Instance;
    }
}

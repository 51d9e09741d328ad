using Gerbang.Domain;

namespace Gerbang.Api.Http;

/// <summary>Who is calling a /v1 route: the merchant and the mode its key belongs to.</summary>
public sealed record MerchantContext(string MerchantId, Mode Mode, string KeyId)
{
    private const string ItemKey = "gerbang.merchant";

    public bool Livemode => Mode == Mode.Live;

    public string ModeWire => Mode.ToWire();

    public static MerchantContext Of(HttpContext context) =>
        context.Items[ItemKey] as MerchantContext ?? throw new InvalidOperationException("The route is not behind merchant authentication.");

    /// <summary>The caller, when the request passed merchant authentication.</summary>
    public static MerchantContext? Find(HttpContext context) => context.Items[ItemKey] as MerchantContext;

    public void Attach(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>As a handler's parameter: the caller the route's gate authenticated.</summary>
    public static ValueTask<MerchantContext?> BindAsync(HttpContext context, System.Reflection.ParameterInfo parameter) => ValueTask.FromResult<MerchantContext?>(Of(context));

    /// <summary>The secret key a request presents: <c>Authorization: Bearer</c>, or else <c>X-API-Key</c>.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        var apiKey = request.Headers["X-API-Key"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }
}

using Gerbang.Api.Http;
using Gerbang.Domain.Providers;

namespace Gerbang.Api.ProviderCallbacks;

/// <summary>
/// <c>POST /webhooks/{provider}</c>: provider notifications. Unverifiable requests get 401 and change
/// nothing; verified ones are stored raw, deduplicated and applied. Never rate limited.
/// </summary>
public static class ProviderWebhookEndpoints
{
    private const int MaxBytes = 256 * 1024;

    public static IServiceCollection AddProviderCallbacks(this IServiceCollection services)
    {
        services.AddSingleton<NotificationProcessor>();
        services.AddSingleton<PaymentNotificationApplier>();
        return services;
    }

    public static void MapProviderCallbacks(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/webhooks/{provider}", ReceiveAsync).WithTags("provider webhooks");
        routes.MapPost("/webhooks/{provider}/payouts", ReceiveAsync).WithTags("provider webhooks");
    }

    private static async Task<ApiResponse> ReceiveAsync(string provider, HttpContext http, NotificationProcessor processor)
    {
        if (http.Request.ContentLength > MaxBytes)
        {
            return Problems.Create(413, "body_too_large", "Notification too large.");
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (buffer.Length > MaxBytes)
        {
            return Problems.Create(413, "body_too_large", "Notification too large.");
        }

        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var inbound = new InboundWebhook(http.Request.Path.Value ?? "", headers, buffer.ToArray());
        return await processor.ReceiveAsync(provider, inbound, http.RequestAborted);
    }
}

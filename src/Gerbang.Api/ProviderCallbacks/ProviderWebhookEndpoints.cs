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
        services.AddSingleton<Payments.IEarlyNotifications>(sp => sp.GetRequiredService<NotificationProcessor>());
        services.AddSingleton<PaymentNotificationApplier>();
        return services;
    }

    public static void MapProviderCallbacks(this IEndpointRouteBuilder routes)
    {
        var notifications = routes.MapGroup("/webhooks").WithTags("provider notifications").CalledBy(ApiCaller.Anonymous);
        notifications.MapPost("/{provider}", ReceiveAsync)
            .Doc("receiveProviderNotification", "Receive a provider's payment notification", "Each provider's own format and signature (see the provider documentation); an unverifiable one is refused and changes nothing.")
            .Accepts<System.Text.Json.JsonElement>("application/json", "application/x-www-form-urlencoded").Returns<NotificationReceivedView>()
            .Fails(401, "signature_invalid").Fails(404, "resource_missing").Fails(413, "body_too_large").Fails(503, "confirmation_pending");
        notifications.MapPost("/{provider}/payouts", ReceiveAsync)
            .Doc("receiveProviderPayoutNotification", "Receive a provider's payout notification", "As for payments, for payouts and refunds at providers that send those to their own URL.")
            .Accepts<System.Text.Json.JsonElement>("application/json", "application/x-www-form-urlencoded").Returns<NotificationReceivedView>()
            .Fails(401, "signature_invalid").Fails(404, "resource_missing").Fails(413, "body_too_large").Fails(503, "confirmation_pending");
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

using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;

namespace Gerbang.Api.Streams;

/// <summary>
/// <c>GET /v1/events/stream</c>: the merchant's events as Server-Sent Events, optionally only those of
/// one <c>store_id</c>, with heartbeats, resumed after <c>Last-Event-ID</c> without a gap.
/// </summary>
public static class EventStreamEndpoints
{
    public static IServiceCollection AddEventStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamOptions>().Bind(configuration.GetSection(StreamOptions.Section));
        services.AddSingleton<EventStreamHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventStreamHub>());
        return services;
    }

    public static void MapEventStream(this RouteGroupBuilder v1) =>
        v1.MapGet("/events/stream", StreamAsync).WithTags("events")
            .Doc("streamEvents", "Stream events", "Server-sent events as they happen; Last-Event-ID resumes after a break; store_id keeps only the events of one outlet.")
            .Produces<string>(200, "text/event-stream").Fails(400, "parameter_invalid");

    private static async Task<IResult> StreamAsync(HttpContext http, EventStreamHub hub)
    {
        var merchant = MerchantContext.Of(http);
        var storeId = http.Request.Query["store_id"].ToString();
        if (storeId.Length > 500)
        {
            return Problems.Create(400, "parameter_invalid", "store_id is at most 500 characters.", "store_id");
        }

        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        Func<StreamedEvent, bool> filter = storeId.Length == 0 ? _ => true : e => e.StoreId == storeId;
        await SendAsync(http, hub, merchant.MerchantId, merchant.ModeWire, filter, lastEventId.Length > 0 ? lastEventId : null);
        return Results.Empty;
    }

    /// <summary>Writes the stream until the client leaves. Shared by the checkout page's own stream.</summary>
    public static async Task SendAsync(HttpContext http, EventStreamHub hub, string merchantId, string mode, Func<StreamedEvent, bool> filter, string? lastEventId, Func<StreamedEvent, string>? render = null)
    {
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache, no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var heartbeat = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<StreamOptions>>().Value.Heartbeat;
        var subscription = await hub.SubscribeAsync(merchantId, mode, filter, ct);
        try
        {
            await http.Response.WriteAsync("retry: 3000\n\n", ct);
            long lastSeq = 0;
            if (lastEventId is not null)
            {
                foreach (var e in (await hub.AfterAsync(merchantId, mode, lastEventId, ct)).Where(filter))
                {
                    await WriteAsync(http, e, render, ct);
                    lastSeq = e.Seq;
                }
            }

            await http.Response.Body.FlushAsync(ct);
            var reader = subscription.Events.Reader;
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(heartbeat);
                try
                {
                    var e = await reader.ReadAsync(wait.Token);
                    if (e.Seq > lastSeq || lastEventId is null)
                    {
                        await WriteAsync(http, e, render, ct);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": heartbeat\n\n", ct);
                }

                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away
        }
        finally
        {
            hub.Unsubscribe(subscription);
        }
    }

    private static Task WriteAsync(HttpContext http, StreamedEvent e, Func<StreamedEvent, string>? render, CancellationToken ct) =>
        http.Response.WriteAsync($"id: {e.Id}\nevent: {e.Type}\ndata: {render?.Invoke(e) ?? Encoding.UTF8.GetString(e.Body)}\n\n", ct);
}

public sealed class StreamOptions
{
    public const string Section = "Gerbang:Streams";

    /// <summary>A comment line sent when nothing else was, so proxies and clients know the stream lives.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}

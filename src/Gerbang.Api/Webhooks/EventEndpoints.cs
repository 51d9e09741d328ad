using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Npgsql;

namespace Gerbang.Api.Webhooks;

/// <summary><c>/v1/events</c>: the event log, each event's delivery attempts, and resending.</summary>
public static class EventEndpoints
{
    public static readonly ListFilter[] ListFilters =
    [
        new("type", "The event's type.", EventTypes.All),
        new("object", "The id of the object the event is about."),
    ];

    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<SubscriberDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<SubscriberDirectory>());
        services.AddSingleton<Jobs.IJobHandler, WebhookCatchUpJob>();
        return services;
    }

    public static void MapEvents(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/events").WithTags("events");
        group.MapGet("", ListAsync).Doc("listEvents", "List events", "Every event of the mode, newest first, kept 30 days.").Lists<EventWriter.EventView>(ListFilters);
        group.MapGet("/{id}", GetAsync).Doc("getEvent", "Get an event", "The event exactly as it was delivered.").Returns<EventWriter.EventView>().NotFound();
        group.MapGet("/{id}/deliveries", DeliveriesAsync).Doc("listEventDeliveries", "List an event's deliveries").Returns<ListQuery.ListView<DeliveryAttemptView>>().NotFound();
        group.MapPost("/{id}/resend", ResendAsync).Doc("resendEvent", "Resend an event", "Delivers the event again to every endpoint that takes its type, or to the one named.")
            .Body(new ResendEventBody { WebhookEndpoint = "we_01JABCDEFGHJKMNPQRSTVWXYZ0" }, optional: true).Returns<EventResendView>(202)
            .Fails(404, "resource_missing");
    }

    internal static async Task<Result<ListQuery.ListView<StoredEvent>>> ListAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var parsed = request.Read(ListFilters);
        if (!parsed.Ok)
        {
            return parsed.Refusal;
        }

        var query = parsed.Value;
        await using var cmd = db.CreateCommand();
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var sql = new StringBuilder("select body from events where merchant_id = $1 and mode = $2");
        if (query.Filters.TryGetValue("type", out var type))
        {
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" and type = ${ListQuery.Add(cmd, type)}");
        }

        if (query.Filters.TryGetValue("object", out var objectId))
        {
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" and object_id = ${ListQuery.Add(cmd, objectId)}");
        }

        query.Apply(sql, cmd, "events");
        cmd.CommandText = sql.ToString();
        var rows = new List<StoredEvent>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new StoredEvent((byte[])reader[0]));
            }
        }

        var (page, hasMore) = query.Page(rows);
        if (await query.MissingCursorAsync(db, "events", merchant.MerchantId, merchant.ModeWire, page.Count, cancellationToken) is { } missing)
        {
            return missing;
        }

        return ListQuery.View(page, hasMore, "/v1/events");
    }

    internal static async Task<Result<StoredEvent>> GetAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var body = await BodyAsync(db, merchant, id, cancellationToken);
        return body is null ? Refusal.NotFound("event") : new StoredEvent(body);
    }

    internal static async Task<Result<ListQuery.ListView<DeliveryAttemptView>>> DeliveriesAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (await BodyAsync(db, merchant, id, cancellationToken) is null)
        {
            return Refusal.NotFound("event");
        }

        var attempts = await DeliveryAttemptsAsync(db, merchant, "a.event_id", [id], cancellationToken);
        return ListQuery.View(attempts, false, $"/v1/events/{id}/deliveries");
    }

    /// <summary>The latest delivery attempts (up to 100 each) for some events or endpoints (<paramref name="column"/> is a constant).</summary>
    internal static async Task<List<DeliveryAttemptView>> DeliveryAttemptsAsync(NpgsqlDataSource db, MerchantContext merchant, string column, string[] values, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"""
            select a.id, a.event_id, a.delivery_id, a.endpoint_id, a.attempted_at, a.http_status, a.latency_ms, a.error, a.succeeded, d.status
            from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
            where {column} = any ($1) and d.merchant_id = $2
            order by a.id desc
            limit $3
            """);
        cmd.Parameters.Add(new() { Value = values });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = 100 * values.Length });
        var attempts = new List<DeliveryAttemptView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            attempts.Add(new DeliveryAttemptView(
                "wa_" + reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "webhook_delivery_attempt",
                merchant.Livemode,
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(4)),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetBoolean(8),
                reader.GetString(9)));
        }

        return attempts;
    }

    internal static async Task<Result<EventResendView>> ResendAsync(string id, Body<ResendEventBody> body, MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var endpoint = body.Value.WebhookEndpoint;
        if (await BodyAsync(db, merchant, id, cancellationToken) is null)
        {
            return Refusal.NotFound("event");
        }

        if (endpoint is not null && await WebhookEndpointEndpoints.FindAsync(db, merchant, endpoint, cancellationToken) is null)
        {
            return new Refusal(404, "resource_missing", "No such webhook endpoint.", "webhook_endpoint");
        }

        await using var cmd = db.CreateCommand($"""
            with d as (
                insert into webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created_at, updated_at)
                select {EventWriter.NewDeliveryIdSql("ep.id")}, ev.id, ep.id, ev.merchant_id, 'pending', 0, $4, $4, $4
                from events ev join webhook_endpoints ep on ep.merchant_id = ev.merchant_id and ep.mode = ev.mode
                where ev.id = $1 and ev.merchant_id = $2 and ev.mode = $3 and ep.status = 'enabled' and ep.deleted_at is null
                  and (($5::text is not null and ep.id = $5) or ($5::text is null and ('*' = any (ep.enabled_events) or ev.type = any (ep.enabled_events))))
                returning id),
            n as (select pg_notify('{EventWriter.Channel}', '') from (select 1 from d limit 1) x)
            select d.id from d cross join n
            """);
        foreach (var v in new object?[] { id, merchant.MerchantId, merchant.ModeWire, clock.GetUtcNow(), endpoint })
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        var deliveries = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(reader.GetString(0));
        }

        return Result<EventResendView>.Accepted(new EventResendView("event_resend", id, deliveries));
    }

    private static async Task<byte[]?> BodyAsync(NpgsqlDataSource db, MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("select body from (select * from events where id = $1 offset 0) e where merchant_id = $2 and mode = $3");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        return await cmd.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public sealed record DeliveryAttemptView(
        string Id, string Object, bool Livemode, string Event, string Delivery, string WebhookEndpoint, string AttemptedAt, int? HttpStatus, int LatencyMs, string? Error, bool Succeeded, string DeliveryStatus);
}

/// <summary>The body of a resend: one endpoint, or every one that takes the event when left out.</summary>
public sealed record ResendEventBody : IRequestBody<ResendEventBody>
{
    public static bool EmptyAllowed => true;

    [System.ComponentModel.DataAnnotations.StringLength(64)]
    public string? WebhookEndpoint { get; init; }

    public static ResendEventBody? Read(Fields f)
    {
        var endpoint = f.String("webhook_endpoint", required: false, maxLength: 64);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ResendEventBody { WebhookEndpoint = endpoint };
    }
}

/// <summary>What a resend answers: the deliveries it queued.</summary>
public sealed record EventResendView(string Object, string Event, IReadOnlyList<string> Deliveries);

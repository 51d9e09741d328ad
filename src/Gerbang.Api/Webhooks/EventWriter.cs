using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Webhooks;

/// <summary>
/// Adds an event to the same batch or transaction as the change it announces, with one delivery per
/// subscribed endpoint, and wakes the dispatcher (NOTIFY is sent only at commit, so a rolled-back
/// change announces nothing).
/// </summary>
public static class EventWriter
{
    public const string Channel = "gerbang_webhooks";

    /// <summary>
    /// SQL for a new delivery id made in the statement that fans an event out to many endpoints at
    /// once; <paramref name="endpointColumn"/> keeps ids apart within one statement.
    /// </summary>
    public static string NewDeliveryIdSql(string endpointColumn) =>
        $"'{Ids.Delivery}_' || substr(md5(random()::text || clock_timestamp()::text || {endpointColumn}), 1, 24)";

    /// <summary>SQL: endpoint <paramref name="endpoint"/> (an alias) is live and takes events of type <paramref name="type"/>.</summary>
    public static string SubscribedSql(string endpoint, string type) =>
        $"{endpoint}.status = 'enabled' and {endpoint}.deleted_at is null and ('*' = any ({endpoint}.enabled_events) or {type} = any ({endpoint}.enabled_events))";

    public sealed record EventView(string Id, string Object, string Type, bool Livemode, string CreatedAt, EventData Data);

    public sealed record EventData(object Object);

    public static byte[] Body(string eventId, string type, Mode mode, DateTimeOffset createdAt, object dataObject) =>
        ApiJson.Serialize(new EventView(eventId, "event", type, mode == Mode.Live, ApiJson.Time(createdAt), new EventData(dataObject)));

    /// <summary>
    /// Adds the event and its deliveries to <paramref name="batch"/>; returns the event id. With
    /// <paramref name="fanOut"/> false (the merchant is known to have no subscriber, see
    /// <see cref="SubscriberDirectory"/>) only the event is written.
    /// </summary>
    public static string Add(NpgsqlBatch batch, string merchantId, Mode mode, string type, string objectId, string? storeId, object dataObject, DateTimeOffset now, bool fanOut = true)
    {
        var eventId = Ids.New(Ids.Event);
        var body = Body(eventId, type, mode, now, dataObject);
        var insert = fanOut ? new NpgsqlBatchCommand(FanOutSql) : new NpgsqlBatchCommand(EventOnlySql);
        insert.Parameters.Add(new() { Value = eventId });
        insert.Parameters.Add(new() { Value = merchantId });
        insert.Parameters.Add(new() { Value = mode.ToWire() });
        insert.Parameters.Add(new() { Value = type });
        insert.Parameters.Add(new() { Value = objectId });
        insert.Parameters.Add(new() { Value = (object?)storeId ?? DBNull.Value });
        insert.Parameters.Add(new() { Value = body });
        insert.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(insert);
        return eventId;
    }

    private const string EventOnlySql = """
        insert into events (id, merchant_id, mode, type, object_id, store_id, body, created_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        """;

    // One statement: the event, its deliveries to the merchant's subscribed endpoints (waking the
    // dispatchers when there are any), and a wake-up for live streams only when one is open.
    private static readonly string FanOutSql = $"""
        with ev as ({EventOnlySql} returning id),
        d as (
            insert into webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created_at, updated_at)
            select {NewDeliveryIdSql("e.id")}, $1, e.id, e.merchant_id, 'pending', 0, $8, $8, $8
            from webhook_endpoints e
            where e.merchant_id = $2 and e.mode = $3 and {SubscribedSql("e", "$4")}
            returning 1),
        dispatch as (select pg_notify('{Channel}', '') from (select 1 from d limit 1) x),
        streams as (
            select pg_notify('{Streams.EventStreamHub.Channel}', '') from event_stream_listeners
            where merchant_id = $2 and mode = $3 and expires_at > now() limit 1)
        select (select count(*) from ev) + (select count(*) from dispatch) + (select count(*) from streams)
        """;
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Streams;

/// <summary>An event as a stream carries it.</summary>
public sealed record StreamedEvent(long Seq, string Id, string MerchantId, string Mode, string Type, string? ObjectId, string? StoreId, byte[] Body);

/// <summary>One open stream: what it wants and where its events go.</summary>
public sealed class StreamSubscription(string merchantId, string mode, long startSeq, Func<StreamedEvent, bool> filter)
{
    public string MerchantId => merchantId;

    public string Mode => mode;

    public Channel<StreamedEvent> Events { get; } = Channel.CreateBounded<StreamedEvent>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    // Only what happened after the stream opened; what came before is the backlog's to send.
    internal bool Wants(StreamedEvent e) => e.Seq > startSeq && e.MerchantId == merchantId && e.Mode == mode && filter(e);
}

/// <summary>
/// Feeds every open event stream of this instance. Event writers NOTIFY when a stream is open for their
/// merchant anywhere (registered in <c>event_stream_listeners</c>), so every instance behind a load
/// balancer wakes; the hub then reads the new events of the merchants it serves and hands each to the
/// streams that want it. A transaction can commit an event after one with a higher sequence number,
/// so each read also looks a few seconds back and skips what it already sent.
/// </summary>
public sealed partial class EventStreamHub(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<EventStreamHub> logger) : BackgroundService
{
    public const string Channel = "gerbang_events";
    private static readonly TimeSpan LookBack = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ListenerLease = TimeSpan.FromSeconds(90);
    private readonly string _instance = Ids.New("inst");
    private readonly ConcurrentDictionary<StreamSubscription, byte> _subscriptions = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _sent = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private long _cursor;

    public async Task<StreamSubscription> SubscribeAsync(string merchantId, string mode, Func<StreamedEvent, bool> filter, CancellationToken cancellationToken)
    {
        long startSeq;
        await using (var max = dataSource.CreateCommand("select coalesce(max(seq), 0) from events where merchant_id = $1 and mode = $2"))
        {
            max.Parameters.Add(new() { Value = merchantId });
            max.Parameters.Add(new() { Value = mode });
            startSeq = (long)(await max.ExecuteScalarAsync(cancellationToken))!;
        }

        var subscription = new StreamSubscription(merchantId, mode, startSeq, filter);
        _subscriptions[subscription] = 0;
        await RegisterAsync([(merchantId, mode)], cancellationToken);
        return subscription;
    }

    public void Unsubscribe(StreamSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    /// <summary>Events of a merchant after a given one (for <c>Last-Event-ID</c>), oldest first.</summary>
    public async Task<List<StreamedEvent>> AfterAsync(string merchantId, string mode, string lastEventId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            select {Columns} from events
            where merchant_id = $1 and mode = $2 and seq > (select seq from (select * from events where id = $3 offset 0) e where merchant_id = $1 and mode = $2)
            order by seq limit 1000
            """);
        cmd.Parameters.Add(new() { Value = merchantId });
        cmd.Parameters.Add(new() { Value = mode });
        cmd.Parameters.Add(new() { Value = lastEventId });
        return await ReadAsync(cmd, cancellationToken);
    }

    private const string Columns = "seq, id, merchant_id, mode, type, object_id, store_id, body";

    private static async Task<List<StreamedEvent>> ReadAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var rows = new List<StreamedEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StreamedEvent(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), (byte[])reader[7]));
        }

        return rows;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var max = dataSource.CreateCommand("select coalesce(max(seq), 0) from events"))
        {
            _cursor = (long)(await max.ExecuteScalarAsync(stoppingToken))!;
        }

        var listener = Database.PgListener.RunAsync(dataSource, Channel, () => _wake.Release(), reason => LogStreamFailed(logger, reason), stoppingToken);
        var lastLease = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                if (_subscriptions.IsEmpty)
                {
                    continue;
                }

                var served = _subscriptions.Keys.Select(s => (s.MerchantId, s.Mode)).Distinct().ToList();
                if (timeProvider.GetUtcNow() - lastLease > ListenerLease / 3)
                {
                    await RegisterAsync(served, stoppingToken);
                    lastLease = timeProvider.GetUtcNow();
                }

                await PumpAsync(served, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogStreamFailed(logger, ex.Message);
            }
        }

        await listener;
    }

    private async Task PumpAsync(List<(string MerchantId, string Mode)> served, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var cmd = dataSource.CreateCommand($"""
            select {Columns} from events
            where merchant_id = any($1) and (seq > $2 or created_at > $3)
            order by seq limit 2000
            """);
        cmd.Parameters.Add(new() { Value = served.Select(s => s.MerchantId).Distinct().ToArray() });
        cmd.Parameters.Add(new() { Value = _cursor });
        cmd.Parameters.Add(new() { Value = now - LookBack });
        foreach (var e in await ReadAsync(cmd, cancellationToken))
        {
            _cursor = Math.Max(_cursor, e.Seq);
            if (!_sent.TryAdd(e.Seq, now))
            {
                continue;
            }

            foreach (var subscription in _subscriptions.Keys.Where(s => s.Wants(e)))
            {
                subscription.Events.Writer.TryWrite(e);
            }
        }

        foreach (var old in _sent.Where(kv => now - kv.Value > LookBack * 3).Select(kv => kv.Key).ToList())
        {
            _sent.TryRemove(old, out _);
        }
    }

    /// <summary>
    /// Renews this instance's listener rows. A row that is new (never there, or expired and removed
    /// first) tells every subscriber directory that the merchant now has somebody to tell; a renewal
    /// changes nothing for them and says nothing.
    /// </summary>
    private async Task RegisterAsync(List<(string MerchantId, string Mode)> served, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("delete from event_stream_listeners where expires_at < now()"));
        foreach (var (merchantId, mode) in served)
        {
            // xmax is 0 only on a row this statement inserted, not on one it updated.
            var cmd = new NpgsqlBatchCommand($"""
                with up as (
                    insert into event_stream_listeners (instance_id, merchant_id, mode, expires_at) values ($1, $2, $3, now() + $4)
                    on conflict (merchant_id, mode, instance_id) do update set expires_at = excluded.expires_at
                    returning xmax = 0 as fresh)
                select pg_notify('{Webhooks.SubscriberDirectory.Channel}', '') from up where fresh
                """);
            cmd.Parameters.Add(new() { Value = _instance });
            cmd.Parameters.Add(new() { Value = merchantId });
            cmd.Parameters.Add(new() { Value = mode });
            cmd.Parameters.Add(new() { Value = ListenerLease });
            batch.BatchCommands.Add(cmd);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Event stream feed interrupted: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, string reason);
}

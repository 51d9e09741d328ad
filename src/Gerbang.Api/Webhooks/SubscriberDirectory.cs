using System.Collections.Concurrent;
using System.Threading.Channels;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Webhooks;

/// <summary>
/// Remembers which merchants have nobody to tell: no enabled webhook endpoint and no open event
/// stream. Their events are written without the fan-out, which is most of an event's cost. Only that
/// negative answer is cached, only while this instance listens on <see cref="Channel"/> (every change
/// that adds a subscriber notifies it, and any notification or reconnection forgets everything), and
/// for a minute at most. An endpoint created while another instance still held the old answer is caught
/// up by <see cref="WebhookCatchUpJob"/>, so no event after its creation goes undelivered.
/// </summary>
public sealed partial class SubscriberDirectory(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<SubscriberDirectory> logger) : BackgroundService
{
    public const string Channel = "gerbang_subscribers";
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string MerchantId, Mode Mode), DateTimeOffset> _none = new();
    private readonly ConcurrentDictionary<(string MerchantId, Mode Mode), byte> _asking = new();
    private readonly Channel<(string MerchantId, Mode Mode)> _questions = System.Threading.Channels.Channel.CreateBounded<(string, Mode)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _generation;
    private volatile bool _listening;

    /// <summary>The statement that tells every instance to forget; joins the batch of the change.</summary>
    public static NpgsqlBatchCommand NotifyCommand() => new($"select pg_notify('{Channel}', '')");

    /// <summary>
    /// False only when the merchant is known to have no subscriber; otherwise the event is fanned out,
    /// and the question is asked in the background so that the next event may skip it.
    /// </summary>
    public bool MayHaveSubscribers(string merchantId, Mode mode)
    {
        var key = (merchantId, mode);
        if (_listening && _none.TryGetValue(key, out var until) && until > timeProvider.GetUtcNow())
        {
            return false;
        }

        if (_listening && _asking.TryAdd(key, 0) && !_questions.Writer.TryWrite(key))
        {
            _asking.TryRemove(key, out _);
        }

        return true;
    }

    /// <summary>Forgets at once on this instance (the NOTIFY reaches the others).</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _none.Clear();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = Database.PgListener.RunAsync(
            dataSource,
            Channel,
            () =>
            {
                Forget();
                _listening = true;
            },
            reason =>
            {
                _listening = false;
                Forget();
                LogListenLost(logger, reason);
            },
            stoppingToken);
        try
        {
            await foreach (var key in _questions.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await AskAsync(key, stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    LogListenLost(logger, ex.Message);
                }
                finally
                {
                    _asking.TryRemove(key, out _);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await listener;
    }

    private async Task AskAsync((string MerchantId, Mode Mode) key, CancellationToken cancellationToken)
    {
        // Read before asking: a change that lands while the question is out moves the generation, and
        // the answer, perhaps from before the change, is then not kept.
        var generation = Interlocked.Read(ref _generation);
        await using var cmd = dataSource.CreateCommand("""
            select exists (select 1 from webhook_endpoints where merchant_id = $1 and mode = $2 and status = 'enabled' and deleted_at is null)
                or exists (select 1 from event_stream_listeners where merchant_id = $1 and mode = $2 and expires_at > now())
            """);
        cmd.Parameters.Add(new() { Value = key.MerchantId });
        cmd.Parameters.Add(new() { Value = key.Mode.ToWire() });
        var any = (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (!any && _listening && Interlocked.Read(ref _generation) == generation)
        {
            _none[key] = timeProvider.GetUtcNow() + RememberFor;
            if (Interlocked.Read(ref _generation) != generation)
            {
                _none.TryRemove(key, out _); // forgotten while it was being stored
            }
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Subscriber directory not listening, every event is fanned out: {Reason}")]
    private static partial void LogListenLost(ILogger logger, string reason);
}

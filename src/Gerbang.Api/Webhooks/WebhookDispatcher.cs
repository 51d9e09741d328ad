using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Gerbang.Api.Http;
using Gerbang.Domain.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Webhooks;

public sealed class WebhookDispatcherOptions
{
    public const string Section = "Gerbang:Webhooks";

    /// <summary>Deliveries in flight at once across all endpoints.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Deliveries in flight at once to one endpoint, so a slow one cannot take every slot.</summary>
    public int PerEndpointConcurrency { get; set; } = 4;

    /// <summary>How often due retries are looked for when nothing wakes the dispatcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An endpoint whose every attempt has failed for this long is disabled, and the merchant told.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Lets test-mode endpoints reach this machine (loopback only, never a private or metadata address)
    /// for local development. Off unless set; the embedded development install turns it on.
    /// </summary>
    public bool AllowLoopbackInTestMode { get; set; }
}

/// <summary>
/// Delivers events to merchant endpoints. Deliveries are rows: claimed with <c>FOR UPDATE SKIP
/// LOCKED</c> under a lease, woken by <c>LISTEN/NOTIFY</c>, each attempt recorded, retried on the
/// contract's schedule from the database's state, never following redirects. A slow or dead endpoint
/// holds at most its own few slots.
/// </summary>
public sealed partial class WebhookDispatcher(
    NpgsqlDataSource dataSource,
    SecretBox secrets,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    IOptions<WebhookDispatcherOptions> options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "merchant-webhooks";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly ConcurrentDictionary<string, int> _inFlightPerEndpoint = new(StringComparer.Ordinal);
    private int _inFlight;

    public DateTimeOffset? LastLoopAt { get; private set; }

    private sealed record Claimed(string Id, string EventId, string EndpointId, int Attempts, byte[] Body, string Url, byte[] Secret, byte[]? PreviousSecret, DateTimeOffset? PreviousExpires, bool EndpointActive, bool Live);

    /// <summary>Claims what is due and delivers it, waiting for every attempt. Tests drive the dispatcher with this.</summary>
    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await ClaimAsync(options.Value.MaxConcurrency, cancellationToken);
        await Task.WhenAll(claimed.Select(c => DeliverAsync(c, cancellationToken)));
        return claimed.Count;
    }

    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = ListenAsync(stoppingToken);
        var running = new ConcurrentDictionary<Task, byte>();
        while (!stoppingToken.IsCancellationRequested)
        {
            LastLoopAt = timeProvider.GetUtcNow();
            var free = options.Value.MaxConcurrency - Volatile.Read(ref _inFlight);
            IReadOnlyList<Claimed> claimed = [];
            if (free > 0)
            {
                try
                {
                    claimed = await ClaimAsync(free, stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    LogClaimFailed(logger, ex.Message);
                }
            }

            foreach (var c in claimed)
            {
                var task = DeliverAsync(c, stoppingToken);
                running[task] = 0;
                _ = task.ContinueWith(t => { running.TryRemove(t, out _); _wake.Release(); }, TaskScheduler.Default);
            }

            if (claimed.Count == 0 || claimed.Count >= free)
            {
                try
                {
                    await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(running.Keys);
        await listener;
    }

    private Task ListenAsync(CancellationToken stoppingToken) =>
        Database.PgListener.RunAsync(dataSource, EventWriter.Channel, () => _wake.Release(), reason => LogListenFailed(logger, reason), stoppingToken);

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var busy = _inFlightPerEndpoint.Where(e => e.Value >= options.Value.PerEndpointConcurrency).Select(e => e.Key).ToArray();
        await using var cmd = dataSource.CreateCommand("""
            with due as (
                select id from webhook_deliveries
                where id in (
                    select id from (
                        select id, row_number() over (partition by endpoint_id order by next_attempt_at) as n
                        from webhook_deliveries
                        where status = 'pending' and next_attempt_at <= $1 and (leased_until is null or leased_until < $1)
                          and endpoint_id <> all ($3)
                    ) ranked where n <= $4 limit $2)
                for update skip locked)
            update webhook_deliveries w set leased_until = $5
            from due, events e, webhook_endpoints ep
            where w.id = due.id and e.id = w.event_id and ep.id = w.endpoint_id
            returning w.id, w.event_id, w.endpoint_id, w.attempts, e.body, ep.url, ep.secret_sealed, ep.previous_secret_sealed,
                      ep.previous_secret_expires_at, ep.status = 'enabled' and ep.deleted_at is null, ep.mode = 'live'
            """);
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = max });
        cmd.Parameters.Add(new() { Value = busy });
        cmd.Parameters.Add(new() { Value = options.Value.PerEndpointConcurrency });
        cmd.Parameters.Add(new() { Value = now + Lease });
        var claimed = new List<Claimed>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new Claimed(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), (byte[])reader[4], reader.GetString(5), (byte[])reader[6],
                reader.IsDBNull(7) ? null : (byte[])reader[7], reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.GetBoolean(9), reader.GetBoolean(10)));
        }

        foreach (var c in claimed)
        {
            Interlocked.Increment(ref _inFlight);
            _inFlightPerEndpoint.AddOrUpdate(c.EndpointId, 1, (_, n) => n + 1);
        }

        return claimed;
    }

    private async Task DeliverAsync(Claimed c, CancellationToken cancellationToken)
    {
        try
        {
            var (status, error, latency) = c.EndpointActive ? await SendAsync(c, cancellationToken) : (null, "endpoint disabled", 0);
            await RecordAsync(c, status, error, latency, terminal: !c.EndpointActive);
        }
        catch (Exception ex)
        {
            LogDeliveryFailed(logger, c.Id, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _inFlightPerEndpoint.AddOrUpdate(c.EndpointId, 0, (_, n) => Math.Max(0, n - 1));
        }
    }

    private async Task<(int? Status, string? Error, int LatencyMs)> SendAsync(Claimed c, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var signature = StandardWebhooks.Sign(StandardWebhooks.KeyFromSecret(secrets.Open(c.Secret)), c.EventId, timestamp, c.Body);
        if (c.PreviousSecret is not null && c.PreviousExpires > now)
        {
            signature += " " + StandardWebhooks.Sign(StandardWebhooks.KeyFromSecret(secrets.Open(c.PreviousSecret)), c.EventId, timestamp, c.Body);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, c.Url) { Content = new ByteArrayContent(c.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", c.EventId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        request.Headers.UserAgent.ParseAdd("Gerbang-Webhooks/1.0");
        request.Options.Set(SsrfGuard.AllowLoopback, !c.Live && options.Value.AllowLoopbackInTestMode);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return (code, code is >= 200 and < 300 ? null : $"HTTP {code}", (int)stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "timed out", (int)stopwatch.ElapsedMilliseconds);
        }
        catch (HttpRequestException ex) when (ex.InnerException is ForbiddenAddressException)
        {
            return (null, "address_forbidden", (int)stopwatch.ElapsedMilliseconds);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.HttpRequestError.ToString(), (int)stopwatch.ElapsedMilliseconds);
        }
    }

    private async Task RecordAsync(Claimed c, int? status, string? error, int latencyMs, bool terminal)
    {
        var now = timeProvider.GetUtcNow();
        var succeeded = status is >= 200 and < 300;
        var attempts = c.Attempts + 1;
        var next = succeeded || terminal ? null : StandardWebhooks.NextAttemptAt(attempts, now);
        var state = succeeded ? "succeeded" : next is null ? "failed" : "pending";
        await using var batch = dataSource.CreateBatch();
        var attempt = new NpgsqlBatchCommand("""
            insert into webhook_attempts (delivery_id, event_id, endpoint_id, attempted_at, http_status, latency_ms, error, succeeded)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            """);
        foreach (var v in new object?[] { c.Id, c.EventId, c.EndpointId, now, status, latencyMs, error, succeeded })
        {
            attempt.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(attempt);
        var update = new NpgsqlBatchCommand("""
            update webhook_deliveries set status = $2, attempts = $3, next_attempt_at = $4, leased_until = null, last_http_status = $5, updated_at = $6
            where id = $1
            """);
        foreach (var v in new object?[] { c.Id, state, attempts, next, status, now })
        {
            update.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(EndpointHealth(c, succeeded, now));
        await batch.ExecuteNonQueryAsync(CancellationToken.None);
        if (next is { } due && due <= now)
        {
            _wake.Release(); // the contract's first retry is immediate
        }
    }

    /// <summary>
    /// Tracks since when an endpoint fails. Past <see cref="WebhookDispatcherOptions.DisableAfter"/> it is
    /// disabled, and a <c>webhook_endpoint.disabled</c> event goes to the merchant's other endpoints.
    /// </summary>
    private NpgsqlBatchCommand EndpointHealth(Claimed c, bool succeeded, DateTimeOffset now)
    {
        if (succeeded)
        {
            var healthy = new NpgsqlBatchCommand("update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null");
            healthy.Parameters.Add(new() { Value = c.EndpointId });
            return healthy;
        }

        var cmd = new NpgsqlBatchCommand($$"""
            with mark as (
                update webhook_endpoints set
                    failing_since = coalesce(failing_since, $2),
                    status = case when coalesce(failing_since, $2) <= $2 - $3::interval then 'disabled' else status end,
                    disabled_reason = case when coalesce(failing_since, $2) <= $2 - $3::interval then 'failing' else disabled_reason end
                where id = $1 and status = 'enabled'
                returning id, merchant_id, mode, url, failing_since, status = 'disabled' as now_disabled),
            disabled as (select id, merchant_id, mode, url, failing_since from mark where now_disabled),
            announced as (
                insert into events (id, merchant_id, mode, type, object_id, body, created_at)
                select $4, d.merchant_id, d.mode, 'webhook_endpoint.disabled', d.id,
                       convert_to(json_build_object('id', $4::text, 'object', 'event', 'type', 'webhook_endpoint.disabled',
                           'livemode', d.mode = 'live', 'created_at', to_char($2 at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                           'data', json_build_object('object', json_build_object('id', d.id, 'object', 'webhook_endpoint', 'url', d.url,
                               'status', 'disabled', 'disabled_reason', 'failing',
                               'failing_since', to_char(d.failing_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))))::text, 'UTF8'), $2
                from disabled d
                returning id, merchant_id, mode),
            fanned as (
                insert into webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created_at, updated_at)
                select {{EventWriter.NewDeliveryIdSql("o.id")}}, a.id, o.id, o.merchant_id, 'pending', 0, $2, $2, $2
                from announced a join webhook_endpoints o on o.merchant_id = a.merchant_id and o.mode = a.mode
                where {{EventWriter.SubscribedSql("o", "'webhook_endpoint.disabled'")}}
                returning 1)
            select pg_notify('{{EventWriter.Channel}}', '') from (select 1 from fanned limit 1) x
            """);
        cmd.Parameters.Add(new() { Value = c.EndpointId });
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = options.Value.DisableAfter });
        cmd.Parameters.Add(new() { Value = Domain.Ids.New(Domain.Ids.Event) });
        return cmd;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Could not claim webhook deliveries: {Reason}")]
    private static partial void LogClaimFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Webhook listener connection lost: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Delivery {DeliveryId} could not be recorded: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string deliveryId, string reason);
}

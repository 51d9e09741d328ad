using System.Text.Json;
using Npgsql;

namespace Gerbang.Api.Jobs;

/// <summary>
/// Runs jobs: claims one due row at a time with <c>FOR UPDATE SKIP LOCKED</c> under its own lease
/// (a token and an expiry), renewed while the job runs, woken by NOTIFY, each job in its own try/catch,
/// retried with backoff and dead after its limit. A job's lease starts when it starts, so it cannot lapse
/// while the job waits behind others, and its final write is fenced by its token: a run whose lease was
/// taken over changes nothing. Tests drive it with <see cref="ProcessBatchAsync"/>.
/// </summary>
public sealed partial class JobWorker(NpgsqlDataSource dataSource, IEnumerable<IJobHandler> handlers, TimeProvider timeProvider, ILogger<JobWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    private sealed record Claimed(string Id, string Kind, JsonElement Payload, int Attempts, int MaxAttempts, string Token);

    /// <summary>Runs up to 16 due jobs, one after another, each claimed only when it is about to run.</summary>
    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        var ran = 0;
        while (ran < 16 && await ClaimAsync(cancellationToken) is { } job)
        {
            await RunAsync(job, cancellationToken);
            ran++;
        }

        return ran;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ProcessBatchAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogClaimFailed(logger, ex.Message);
            }

            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await listener;
    }

    private Task ListenAsync(CancellationToken stoppingToken) =>
        Database.PgListener.RunAsync(dataSource, JobQueue.Channel, () => _wake.Release(), reason => LogClaimFailed(logger, reason), stoppingToken);

    private async Task<Claimed?> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var token = Guid.NewGuid().ToString("N");
        await using var cmd = dataSource.CreateCommand("""
            with due as (
                select id from jobs
                where status = 'pending' and run_at <= $1 and (locked_until is null or locked_until < $1)
                order by run_at limit 1
                for update skip locked)
            update jobs j set locked_until = $2, lease_token = $3, attempts = j.attempts + 1, updated_at = $1
            from due where j.id = due.id
            returning j.id, j.kind, j.payload::text, j.attempts, j.max_attempts
            """);
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = now + Lease });
        cmd.Parameters.Add(new() { Value = token });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(reader.GetString(2));
        return new Claimed(reader.GetString(0), reader.GetString(1), doc.RootElement.Clone(), reader.GetInt32(3), reader.GetInt32(4), token);
    }

    /// <summary>Keeps the job's lease alive while it runs; stops when the job ends or its lease was taken.</summary>
    private async Task RenewAsync(Claimed job, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 4, stop);
                await using var cmd = dataSource.CreateCommand("update jobs set locked_until = $3 where id = $1 and lease_token = $2");
                cmd.Parameters.Add(new() { Value = job.Id });
                cmd.Parameters.Add(new() { Value = job.Token });
                cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() + Lease });
                if (await cmd.ExecuteNonQueryAsync(stop) == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the job ended
        }
        catch (NpgsqlException ex)
        {
            LogClaimFailed(logger, ex.Message);
        }
    }

    private async Task RunAsync(Claimed job, CancellationToken cancellationToken)
    {
        string? error = null;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewAsync(job, running.Token);
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handler))
            {
                throw new InvalidOperationException($"No handler for job kind '{job.Kind}'.");
            }

            await handler.HandleAsync(job.Payload, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await running.CancelAsync();
            await renewal;
            return; // the lease expires and another worker takes it
        }
        catch (Exception ex)
        {
            error = ex.GetType().Name + ": " + ex.Message;
            LogJobFailed(logger, job.Kind, job.Id, job.Attempts, error);
        }

        await running.CancelAsync();
        await renewal;

        var now = timeProvider.GetUtcNow();
        var dead = error is not null && job.Attempts >= job.MaxAttempts;
        await using var cmd = dataSource.CreateCommand("""
            update jobs set status = $2, run_at = $3, locked_until = null, lease_token = null, last_error = $4, updated_at = $5 where id = $1 and lease_token = $6
            """);
        cmd.Parameters.Add(new() { Value = job.Id });
        cmd.Parameters.Add(new() { Value = error is null ? "succeeded" : dead ? "dead" : "pending" });
        cmd.Parameters.Add(new() { Value = error is null ? now : now + JobQueue.Backoff(job.Attempts) });
        cmd.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = job.Token });
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Could not claim jobs: {Reason}")]
    private static partial void LogClaimFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Job {Kind} {JobId} failed on attempt {Attempt}: {Error}")]
    private static partial void LogJobFailed(ILogger logger, string kind, string jobId, int attempt, string error);
}

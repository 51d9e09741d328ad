using System.Text.Json;
using Npgsql;

namespace Gerbang.Api.Jobs;

/// <summary>
/// Runs jobs: claims due rows with <c>FOR UPDATE SKIP LOCKED</c> under a lease, woken by NOTIFY,
/// each job in its own try/catch, retried with backoff and dead after its limit. Tests drive it with
/// <see cref="ProcessBatchAsync"/>.
/// </summary>
public sealed partial class JobWorker(NpgsqlDataSource dataSource, IEnumerable<IJobHandler> handlers, TimeProvider timeProvider, ILogger<JobWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    private sealed record Claimed(string Id, string Kind, JsonElement Payload, int Attempts, int MaxAttempts);

    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await ClaimAsync(16, cancellationToken);
        foreach (var job in claimed)
        {
            await RunAsync(job, cancellationToken);
        }

        return claimed.Count;
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

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var cmd = dataSource.CreateCommand("""
            with due as (
                select id from jobs
                where status = 'pending' and run_at <= $1 and (locked_until is null or locked_until < $1)
                order by run_at limit $2
                for update skip locked)
            update jobs j set locked_until = $3, attempts = j.attempts + 1, updated_at = $1
            from due where j.id = due.id
            returning j.id, j.kind, j.payload::text, j.attempts, j.max_attempts
            """);
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = max });
        cmd.Parameters.Add(new() { Value = now + Lease });
        var claimed = new List<Claimed>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var doc = JsonDocument.Parse(reader.GetString(2));
            claimed.Add(new Claimed(reader.GetString(0), reader.GetString(1), doc.RootElement.Clone(), reader.GetInt32(3), reader.GetInt32(4)));
        }

        return claimed;
    }

    private async Task RunAsync(Claimed job, CancellationToken cancellationToken)
    {
        string? error = null;
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
            return; // the lease expires and another worker takes it
        }
        catch (Exception ex)
        {
            error = ex.GetType().Name + ": " + ex.Message;
            LogJobFailed(logger, job.Kind, job.Id, job.Attempts, error);
        }

        var now = timeProvider.GetUtcNow();
        var dead = error is not null && job.Attempts >= job.MaxAttempts;
        await using var cmd = dataSource.CreateCommand("""
            update jobs set status = $2, run_at = $3, locked_until = null, last_error = $4, updated_at = $5 where id = $1
            """);
        cmd.Parameters.Add(new() { Value = job.Id });
        cmd.Parameters.Add(new() { Value = error is null ? "succeeded" : dead ? "dead" : "pending" });
        cmd.Parameters.Add(new() { Value = error is null ? now : now + JobQueue.Backoff(job.Attempts) });
        cmd.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = now });
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

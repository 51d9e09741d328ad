using System.Text.Json;
using Gerbang.Api.Jobs;
using Npgsql;

namespace Gerbang.Api.Reconciliation;

/// <summary>
/// The periodic pass, run as a job: a provider that did not answer makes the job fail, so it is tried
/// again after the queue's backoff (2 s, 4 s, 8 s …) rather than hammering a provider that is down.
/// </summary>
public sealed class ReconciliationJob(Reconciler reconciler) : IJobHandler
{
    public const string Kind = "reconciliation";

    string IJobHandler.Kind => Kind;

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var report = await reconciler.RunAsync(full: false, cancellationToken);
        if (report.Unanswered > 0)
        {
            throw new ProviderUnavailableException($"{report.Unanswered} unanswered");
        }
    }
}

/// <summary>Puts a reconciliation job on the queue every interval, unless one is already waiting.</summary>
public sealed partial class ReconciliationScheduler(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<ReconciliationScheduler> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    public async Task<bool> EnqueueAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var cmd = dataSource.CreateCommand($"""
            with queued as (
                insert into jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
                select $1, '{ReconciliationJob.Kind}', $3::jsonb, 'pending', 0, 8, $2, $2, $2
                where not exists (select 1 from jobs where kind = '{ReconciliationJob.Kind}' and status = 'pending')
                returning id)
            select q.id, pg_notify('{JobQueue.Channel}', '') from queued q
            """);
        cmd.Parameters.Add(new() { Value = Gerbang.Domain.Ids.New("job") });
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = "{}" });
        return await cmd.ExecuteScalarAsync(cancellationToken) is not null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await EnqueueAsync(stoppingToken);
            }
            catch (NpgsqlException ex)
            {
                LogEnqueueFailed(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Could not queue a reconciliation pass: {Reason}")]
    private static partial void LogEnqueueFailed(ILogger logger, string reason);
}

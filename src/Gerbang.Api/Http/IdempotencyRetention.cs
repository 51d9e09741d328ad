using Npgsql;

namespace Gerbang.Api.Http;

/// <summary>
/// Deletes what Gerbang promised to keep only for a while: completed idempotency keys older than
/// their 24 h retention (in small batches so it never holds many locks at once), and idempotency
/// claims gone stale (a claim that old may be taken over anyway; a completed key answers by itself).
/// </summary>
public sealed partial class IdempotencyRetention(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<IdempotencyRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        await using (var claims = dataSource.CreateCommand("delete from idempotency_claims where locked_at < $1"))
        {
            claims.Parameters.Add(new() { Value = timeProvider.GetUtcNow() - Idempotency.StaleAfter });
            await claims.ExecuteNonQueryAsync(cancellationToken);
        }

        var cutoff = timeProvider.GetUtcNow() - Idempotency.Retention;
        var total = 0;
        while (true)
        {
            await using var cmd = dataSource.CreateCommand("""
                delete from idempotency_keys where ctid in (
                    select ctid from idempotency_keys where created_at < $1 and state = 'completed' limit 1000)
                """);
            cmd.Parameters.Add(new() { Value = cutoff });
            var deleted = await cmd.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < 1000)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, timeProvider);
        do
        {
            try
            {
                var purged = await PurgeAsync(stoppingToken);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }
            }
            catch (NpgsqlException ex)
            {
                LogFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Removed {Count} expired idempotency keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Retention pass failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}

using System.Text.Json;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Jobs;

/// <summary>A unit of background work of one kind (refund, payout…). Throwing means "try again later".</summary>
public interface IJobHandler
{
    string Kind { get; }

    Task HandleAsync(JsonElement payload, CancellationToken cancellationToken);
}

/// <summary>Jobs are rows, enqueued in the same transaction as the change that needs them.</summary>
public static class JobQueue
{
    public const string Channel = "gerbang_jobs";

    public static void Enqueue(NpgsqlBatch batch, string kind, object payload, DateTimeOffset runAt, int maxAttempts = 12)
    {
        var cmd = new NpgsqlBatchCommand("""
            insert into jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
            values ($1, $2, $3::jsonb, 'pending', 0, $4, $5, $5, $5)
            """);
        cmd.Parameters.Add(new() { Value = Ids.New("job") });
        cmd.Parameters.Add(new() { Value = kind });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(payload, Http.ApiJson.Options) });
        cmd.Parameters.Add(new() { Value = maxAttempts });
        cmd.Parameters.Add(new() { Value = runAt });
        batch.BatchCommands.Add(cmd);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{Channel}', '')"));
    }

    /// <summary>Backoff before attempt n+1: 2 s, 4 s, 8 s … capped at 30 minutes.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(1800, Math.Pow(2, Math.Min(attempts, 11))));
}

/// <summary>Thrown by a job whose provider is down: the job is tried again after its backoff.</summary>
public sealed class ProviderUnavailableException(string code) : Exception($"The provider is unavailable ({code}); will retry.");

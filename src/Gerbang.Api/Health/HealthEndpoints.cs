using Gerbang.Api.Database;
using Gerbang.Api.Webhooks;
using Npgsql;

namespace Gerbang.Api.Health;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (it can do its work).</summary>
public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder routes)
    {
        // Probes for the orchestrator, not part of the API: left out of the OpenAPI document.
        var health = routes.MapGroup("/health").ExcludeFromDescription();
        health.MapGet("/live", () => TypedResults.Json(new { status = "ok" }));
        health.MapGet("/ready", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource db, WebhookDispatcher dispatcher, TimeProvider clock, CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, object>();
        var ready = true;
        try
        {
            await using var cmd = db.CreateCommand("""
                select (select count(*) from schema_migrations),
                       (select count(*) from webhook_deliveries where status = 'pending' and next_attempt_at <= now()),
                       (select extract(epoch from now() - min(next_attempt_at))::float8 from webhook_deliveries where status = 'pending' and next_attempt_at <= now()),
                       (select count(*) from jobs where status = 'pending' and run_at <= now()),
                       (select count(*) from jobs where status = 'dead')
                """);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var applied = reader.GetInt64(0);
            var expected = Migrator.Embedded().Count;
            checks["database"] = "ok";
            checks["migrations"] = new { applied, expected, status = applied == expected ? "ok" : "pending" };
            checks["webhook_backlog"] = new { due = reader.GetInt64(1), oldest_seconds = reader.IsDBNull(2) ? 0 : (long)reader.GetDouble(2) };
            checks["jobs"] = new { due = reader.GetInt64(3), dead = reader.GetInt64(4) };
            ready &= applied == expected;
        }
        catch (NpgsqlException ex)
        {
            checks["database"] = "unreachable: " + ex.SqlState;
            ready = false;
        }

        var loopAge = dispatcher.LastLoopAt is { } last ? clock.GetUtcNow() - last : TimeSpan.MaxValue;
        var workersAlive = loopAge < TimeSpan.FromSeconds(30);
        checks["workers"] = workersAlive ? "ok" : "stalled";
        ready &= workersAlive;
        return TypedResults.Json(new { status = ready ? "ready" : "not_ready", checks }, statusCode: ready ? 200 : 503);
    }
}

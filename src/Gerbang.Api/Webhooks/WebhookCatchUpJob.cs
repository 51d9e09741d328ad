using System.Text.Json;
using Gerbang.Api.Jobs;
using Npgsql;

namespace Gerbang.Api.Webhooks;

/// <summary>
/// Run a little after an endpoint is created or enabled: every event of its merchant since then that it
/// subscribes to and has no delivery for gets one. An event written in the moment between the endpoint's
/// commit and an instance hearing of it (<see cref="SubscriberDirectory"/>), or whose statement began
/// before that commit, would otherwise never reach the endpoint.
/// </summary>
public sealed class WebhookCatchUpJob(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IJobHandler
{
    public const string Kind = "webhook_catch_up";

    /// <summary>Long enough for every instance to have heard of the endpoint.</summary>
    public static readonly TimeSpan After = TimeSpan.FromSeconds(30);

    string IJobHandler.Kind => Kind;

    /// <summary>Events below <paramref name="FromSeq"/> are not looked at: the search stays among the newest.</summary>
    public sealed record Payload(string EndpointId, DateTimeOffset Since, long FromSeq);

    /// <summary>
    /// Adds the job to the batch that creates or enables the endpoint, with the NOTIFY that makes every
    /// instance's directory forget. An event's sequence number is taken before it commits, so the
    /// search starts well below the newest one visible now.
    /// </summary>
    public static async Task EnqueueAsync(NpgsqlDataSource dataSource, NpgsqlBatch batch, string merchantId, string mode, string endpointId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var newest = dataSource.CreateCommand("select coalesce(max(seq), 0) from events where merchant_id = $1 and mode = $2");
        newest.Parameters.Add(new() { Value = merchantId });
        newest.Parameters.Add(new() { Value = mode });
        var seq = (long)(await newest.ExecuteScalarAsync(cancellationToken))!;
        JobQueue.Enqueue(batch, Kind, new Payload(endpointId, since, Math.Max(0, seq - 10_000)), since + After);
        batch.BatchCommands.Add(SubscriberDirectory.NotifyCommand());
    }

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var p = payload.Deserialize<Payload>(Http.ApiJson.Options)!;
        await using var cmd = dataSource.CreateCommand($"""
            with owed as (
                insert into webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created_at, updated_at)
                select {EventWriter.NewDeliveryIdSql("o.id || ev.id")}, ev.id, o.id, o.merchant_id, 'pending', 0, $4, $4, $4
                from webhook_endpoints o
                join events ev on ev.merchant_id = o.merchant_id and ev.mode = o.mode and ev.seq > $3 and ev.created_at >= $2
                where o.id = $1 and {EventWriter.SubscribedSql("o", "ev.type")}
                  and ev.type <> 'webhook_endpoint.test'
                  and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.endpoint_id = o.id)
                returning 1)
            select pg_notify('{EventWriter.Channel}', '') from (select 1 from owed limit 1) x
            """);
        cmd.Parameters.Add(new() { Value = p.EndpointId });
        cmd.Parameters.Add(new() { Value = p.Since });
        cmd.Parameters.Add(new() { Value = p.FromSeq });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() }); // the dispatcher's clock decides what is due, so the same clock sets it
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

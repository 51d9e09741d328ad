using Npgsql;

namespace Gerbang.Api.Database;

/// <summary>
/// Keeps one connection listening on a NOTIFY channel and calls <paramref name="wake"/> for every
/// notification, and once after each (re)connection for anything committed while nobody listened.
/// A connection quiet for <see cref="PingEvery"/> is asked a <c>select 1</c> that must answer within
/// <see cref="PingTimeout"/>, so one that died silently (a dropped NAT entry, a failed-over primary)
/// is noticed and replaced. Reconnects wait 1 s, doubling to at most 30 s, with jitter.
/// </summary>
public static class PgListener
{
    public static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(30);
    public const int PingTimeout = 5;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(NpgsqlDataSource dataSource, string channel, Action wake, Action<string> lost, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, _) => wake();
                await using (var listen = new NpgsqlCommand($"listen {channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                wake();
                backoff = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await conn.WaitAsync(PingEvery, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("select 1", conn) { CommandTimeout = PingTimeout };
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException or OperationCanceledException)
            {
                lost(ex.Message);
                try
                {
                    await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}

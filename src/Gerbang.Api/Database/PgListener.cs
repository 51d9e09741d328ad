using Npgsql;

namespace Gerbang.Api.Database;

/// <summary>
/// Keeps one connection listening on a NOTIFY channel and calls <paramref name="wake"/> for every
/// notification, and once after each (re)connection for anything committed while nobody listened.
/// Reconnects after a second when the connection is lost.
/// </summary>
public static class PgListener
{
    public static async Task RunAsync(NpgsqlDataSource dataSource, string channel, Action wake, Action<string> lost, CancellationToken stoppingToken)
    {
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
                while (!stoppingToken.IsCancellationRequested)
                {
                    await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                lost(ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

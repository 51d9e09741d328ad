using Gerbang.Api.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Infrastructure;

public static class JobDriving
{
    /// <summary>
    /// Runs due jobs (alongside the background worker) until the object at <paramref name="path"/>
    /// has one of <paramref name="statuses"/>; fails after 15 seconds. Returns the status reached.
    /// </summary>
    public static Task<string> DriveUntilAsync(this GerbangFixture gerbang, TestMerchant merchant, string path, params string[] statuses) =>
        gerbang.DriveUntilAsync(merchant.Client, path, statuses);

    /// <summary>As the other overload, reading <paramref name="path"/> with <paramref name="client"/>.</summary>
    public static async Task<string> DriveUntilAsync(this GerbangFixture gerbang, HttpClient client, string path, params string[] statuses)
    {
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await jobs.ProcessBatchAsync();
            var status = (await client.GetJsonAsync(path)).Body.Str("status");
            if (statuses.Contains(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} stayed {status}");
            await gerbang.AdvanceToNextJobAsync();
            await Task.Delay(30);
        }
    }

    /// <summary>
    /// The clock moves only when a test moves it: a job waiting out its retry backoff is brought due by
    /// moving the clock to it (never backwards, never past the next one).
    /// </summary>
    public static async Task AdvanceToNextJobAsync(this GerbangFixture gerbang)
    {
        await using var cmd = gerbang.Db.CreateCommand("select min(run_at) from jobs where status = 'pending'");
        if (await cmd.ExecuteScalarAsync() is DateTime next && new DateTimeOffset(next, TimeSpan.Zero) is var due && due > gerbang.Clock.GetUtcNow())
        {
            gerbang.Clock.Advance(due - gerbang.Clock.GetUtcNow());
        }
    }
}

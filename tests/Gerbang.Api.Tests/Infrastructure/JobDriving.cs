using Gerbang.Api.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Infrastructure;

public static class JobDriving
{
    /// <summary>
    /// Runs due jobs (alongside the background worker) until the object at <paramref name="path"/>
    /// has one of <paramref name="statuses"/>; fails after 15 seconds. Returns the status reached.
    /// </summary>
    public static async Task<string> DriveUntilAsync(this GerbangFixture gerbang, TestMerchant merchant, string path, params string[] statuses)
    {
        var jobs = gerbang.App.Services.GetRequiredService<JobWorker>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await jobs.ProcessBatchAsync();
            var status = (await merchant.Client.GetJsonAsync(path)).Body.Str("status");
            if (statuses.Contains(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} stayed {status}");
            await Task.Delay(30);
        }
    }
}

using System.Text.Json;
using Gerbang.Api.Jobs;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Workers;

/// <summary>A job handler that holds its run open until the test lets it finish, counting runs at once.</summary>
public sealed class LeaseProbe : IJobHandler
{
    private int _running;

    public string Kind => "lease_probe";

    public TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Finished { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int MostAtOnce { get; private set; }

    public void Reset()
    {
        Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        MostAtOnce = Math.Max(MostAtOnce, Interlocked.Increment(ref _running));
        try
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            Finished.TrySetResult();
        }
    }
}

public sealed class LeaseProbeFixture : GerbangFixture
{
    public LeaseProbe Probe { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IJobHandler>(Probe);
}

/// <summary>
/// Each job holds its own lease from the moment it starts: a second worker cannot run it at the same
/// time, and a run whose lease was taken over cannot overwrite the newer run's outcome.
/// </summary>
public sealed class JobLeaseTests(LeaseProbeFixture gerbang) : IClassFixture<LeaseProbeFixture>
{
    private async Task<string> EnqueueAsync()
    {
        await using var batch = gerbang.Db.CreateBatch();
        JobQueue.Enqueue(batch, "lease_probe", new { probe = Guid.NewGuid().ToString("N") }, gerbang.Clock.GetUtcNow());
        await batch.ExecuteNonQueryAsync();
        await using var cmd = gerbang.Db.CreateCommand("select id from jobs where kind = 'lease_probe' order by created_at desc, id desc limit 1");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<(string Status, string? Token, bool Locked)> JobAsync(string id)
    {
        await using var cmd = gerbang.Db.CreateCommand("select status, lease_token, locked_until is not null from jobs where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2));
    }

    [Fact]
    public async Task A_running_job_holds_only_its_own_lease_runs_once_at_a_time_and_a_taken_over_run_cannot_write_its_outcome()
    {
        var worker = gerbang.App.Services.GetRequiredService<JobWorker>();
        gerbang.Probe.Reset();
        var held = await EnqueueAsync();

        // Whichever worker (this test's or the background one) runs it, the job starts and waits.
        var running = worker.ProcessBatchAsync();
        await gerbang.Probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True((await JobAsync(held)).Locked);

        // While its lease is held no worker can claim it again: it never runs twice at the same time.
        Assert.Equal(0, await worker.ProcessBatchAsync());
        Assert.Equal(1, gerbang.Probe.MostAtOnce);

        // Another worker takes the lease over (as after an expiry); the old run then finishes.
        await using (var takeOver = gerbang.Db.CreateCommand("update jobs set lease_token = 'newer-run', locked_until = $2 where id = $1"))
        {
            takeOver.Parameters.Add(new() { Value = held });
            takeOver.Parameters.Add(new() { Value = gerbang.Clock.GetUtcNow().AddMinutes(2) });
            await takeOver.ExecuteNonQueryAsync();
        }

        gerbang.Probe.Release.TrySetResult();
        await running;
        await gerbang.Probe.Finished.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // The old run's worker writes its outcome right after the handler returns: give it the time to.
        var after = await JobAsync(held);
        for (var i = 0; i < 20 && after.Status == "pending"; i++)
        {
            await Task.Delay(50);
            after = await JobAsync(held);
        }

        Assert.Equal("pending", after.Status); // the old run's "succeeded" was fenced off
        Assert.Equal("newer-run", after.Token);
        Assert.Equal(1, gerbang.Probe.MostAtOnce);
    }
}

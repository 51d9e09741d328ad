using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Database;

/// <summary>The LISTEN connections that wake workers come back when the database drops them.</summary>
public sealed class ListenerTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private Task<long> ListeningAsync() => gerbang.CountAsync(
        "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'");

    [Fact]
    public async Task Listener_connections_killed_by_the_database_reconnect_and_workers_keep_waking()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long before;
        while ((before = await ListeningAsync()) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {before} listeners");
            await Task.Delay(50);
        }

        var killed = await gerbang.CountAsync(
            "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %') t");
        Assert.Equal(before, killed);

        // Each comes back after its backoff (1 s plus jitter), and a job enqueued now still runs at once.
        deadline = DateTime.UtcNow.AddSeconds(15);
        while (await ListeningAsync() < before)
        {
            Assert.True(DateTime.UtcNow < deadline, "the listeners did not come back");
            await Task.Delay(100);
        }

        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-LISTEN", 10_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }
}

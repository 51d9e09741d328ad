using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Http;

public sealed class IdempotencyTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task Replays_the_first_response_byte_for_byte_when_the_key_is_reused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (s1, _, r1) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-1"), "key-1");
        var (s2, _, r2) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-1"), "key-1");
        Assert.Equal(201, s1);
        Assert.Equal(201, s2);
        Assert.Equal(await r1.Content.ReadAsByteArrayAsync(), await r2.Content.ReadAsByteArrayAsync());
        Assert.False(r1.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", r2.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Refuses_the_same_key_for_a_different_request_naming_the_first_path()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-2"), "key-2");
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-2", amount: 99_000), "key-2");
        Assert.Equal(422, status);
        Assert.Equal("idempotency_key_reused", problem.Str("code"));
        Assert.Contains("/v1/payments", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fifty_identical_requests_at_once_create_one_payment_and_one_provider_call()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var callsBefore = gerbang.Simulator.CreateCalls;
        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            var (status, _, response) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-RACE"), "race-key");
            return (status, replayed: response.Headers.Contains("Idempotent-Replayed"), body: await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal(1, gerbang.Simulator.CreateCalls - callsBefore);
        Assert.Single(results, r => r.status == 201 && !r.replayed);
        Assert.All(results, r => Assert.True(r.status == 409 || (r.status == 201 && (r.replayed || r.body.Length > 0)), $"unexpected {r.status}: {r.body}"));
        Assert.All(results.Where(r => r.status == 409), r => Assert.Contains("idempotency_key_in_use", r.body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_claim_held_by_a_request_in_flight_answers_409_or_422_and_is_taken_over_once_stale()
    {
        var merchant = await gerbang.NewMerchantAsync();
        const string body = """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"ORDER-IDEM-HELD"}""";
        var hash = Idempotency.RequestHash("POST", "/v1/payments", Encoding.UTF8.GetBytes(body));
        await HoldClaimAsync(merchant, "held-key", hash, gerbang.Clock.GetUtcNow());

        var (inUse, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", body, "held-key");
        Assert.Equal(409, inUse);
        Assert.Equal("idempotency_key_in_use", problem.Str("code"));
        var (reused, other, _) = await merchant.Client.PostJsonAsync("/v1/payments", body.Replace("150000", "99000", StringComparison.Ordinal), "held-key");
        Assert.Equal(422, reused);
        Assert.Equal("idempotency_key_reused", other.Str("code"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));

        // The request holding it died: after two minutes a retry takes the key over and does the work once.
        gerbang.Clock.Advance(Idempotency.StaleAfter + TimeSpan.FromSeconds(1));
        var (created, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", body, "held-key");
        Assert.Equal(201, created);
        var (again, replay, response) = await merchant.Client.PostJsonAsync("/v1/payments", body, "held-key");
        Assert.Equal(201, again);
        Assert.Equal("true", response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(payment.Str("id"), replay.Str("id"));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task A_completed_key_answers_after_its_claim_is_gone_whether_purged_or_lost_in_a_crash()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (s1, first, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-GONE"), "gone-key");
        Assert.Equal(201, s1);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from idempotency_claims where merchant_id = $1", merchant.Id));

        gerbang.Clock.Advance(Idempotency.StaleAfter + TimeSpan.FromSeconds(1));
        await gerbang.App.Services.GetRequiredService<Gerbang.Api.Http.IdempotencyRetention>().PurgeAsync();
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_claims where merchant_id = $1", merchant.Id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from idempotency_keys where merchant_id = $1", merchant.Id));

        var callsBefore = gerbang.Simulator.CreateCalls;
        var (s2, replay, response) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-GONE"), "gone-key");
        Assert.Equal(201, s2);
        Assert.Equal("true", response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Str("id"), replay.Str("id"));
        var (s3, _, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-GONE", amount: 99_000), "gone-key");
        Assert.Equal(422, s3);
        Assert.Equal(0, gerbang.Simulator.CreateCalls - callsBefore);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_claims where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Claims_are_unlogged_and_completed_keys_are_not()
    {
        Assert.Equal("u", await ScalarAsync("select relpersistence::text from pg_class where relname = 'idempotency_claims'"));
        Assert.Equal("p", await ScalarAsync("select relpersistence::text from pg_class where relname = 'idempotency_keys'"));
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var cmd = gerbang.Db.CreateCommand(sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task HoldClaimAsync(TestMerchant merchant, string key, byte[] hash, DateTimeOffset lockedAt)
    {
        await using var cmd = gerbang.Db.CreateCommand("""
            insert into idempotency_claims (merchant_id, mode, key, request_hash, path, locked_at) values ($1, 'test', $2, $3, '/v1/payments', $4)
            """);
        cmd.Parameters.Add(new() { Value = merchant.Id });
        cmd.Parameters.Add(new() { Value = key });
        cmd.Parameters.Add(new() { Value = hash });
        cmd.Parameters.Add(new() { Value = lockedAt });
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_request_refused_by_validation_does_not_use_up_its_key()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (bad, _, _) = await merchant.Client.PostJsonAsync("/v1/payments", new { amount = 0, currency = "IDR", method = "va", bank = "bca", order_id = "ORDER-IDEM-3" }, "key-3");
        Assert.Equal(400, bad);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_claims where merchant_id = $1", merchant.Id));
        var (good, _, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-3"), "key-3");
        Assert.Equal(201, good);
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_merchant()
    {
        var a = await gerbang.NewMerchantAsync();
        var b = await gerbang.NewMerchantAsync();
        var (sa, pa, _) = await a.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-4"), "shared-key");
        var (sb, pb, _) = await b.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-4"), "shared-key");
        Assert.Equal(201, sa);
        Assert.Equal(201, sb);
        Assert.NotEqual(pa.Str("id"), pb.Str("id"));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(0)]
    public async Task Refuses_a_key_that_is_empty_or_longer_than_255_characters(int length)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-5"), new string('k', length));
        Assert.Equal(400, status);
        Assert.Equal("invalid_idempotency_key", problem.Str("code"));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Keys_are_kept_for_24_hours_and_then_purged()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-IDEM-OLD"), "old-key");
        var retention = gerbang.App.Services.GetRequiredService<Gerbang.Api.Http.IdempotencyRetention>();
        await retention.PurgeAsync();
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from idempotency_keys where merchant_id = $1", merchant.Id));

        gerbang.Clock.Advance(TimeSpan.FromHours(25));
        await retention.PurgeAsync();
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_keys where merchant_id = $1", merchant.Id));
    }
}

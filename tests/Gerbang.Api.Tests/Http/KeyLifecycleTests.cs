using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Http;

/// <summary>A merchant's keys: listed with their use, revoked by id, rolled without a leaked key outliving the merchant's next roll.</summary>
public sealed class KeyLifecycleTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static async Task<System.Text.Json.JsonElement> KeyAsync(HttpClient client, string hint) =>
        (await client.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data").EnumerateArray().Single(k => k.Str("hint") == hint);

    [Fact]
    public async Task Keys_are_listed_with_their_last_use_and_any_of_them_can_be_revoked_by_id()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, rolled, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 3600 });
        using var second = gerbang.KeyClient(rolled.Str("secret_key"));
        var (status, list) = await second.GetJsonAsync("/v1/merchant/api_keys");
        Assert.Equal(200, status);
        var keys = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.False(k.GetProperty("livemode").GetBoolean()));
        Assert.All(keys, k => Assert.DoesNotContain(rolled.Str("secret_key"), k.ToString(), StringComparison.Ordinal));
        var old = keys.Single(k => k.Str("status") == "expiring");
        Assert.NotEmpty(old.Str("expires_at"));
        Assert.NotEmpty(old.Str("created_at"));

        // The first key was used to roll: when is written shortly after, off the request's path.
        for (var i = 0; i < 100 && (await KeyAsync(second, old.Str("hint"))).Str("last_used_at").Length == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.NotEmpty((await KeyAsync(second, old.Str("hint"))).Str("last_used_at"));

        // Revoked by id, it stops at once; another merchant's key id is not found and nothing changes.
        var other = await gerbang.NewMerchantAsync();
        var otherKey = (await other.Client.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data")[0].Str("id");
        Assert.Equal(404, (await second.PostJsonAsync($"/v1/merchant/api_keys/{otherKey}/revoke", null)).Status);
        Assert.Equal(200, (await other.Client.GetJsonAsync("/v1/merchant")).Status);
        Assert.Equal(400, (await second.PostJsonAsync($"/v1/merchant/api_keys/{old.Str("id")}/revoke", new { at_once = true })).Status);
        var (revoked, view, _) = await second.PostJsonAsync($"/v1/merchant/api_keys/{old.Str("id")}/revoke", null);
        Assert.Equal((200, "revoked"), (revoked, view.Str("status")));
        Assert.Equal(401, (await merchant.Client.GetJsonAsync("/v1/merchant")).Status);
        Assert.Equal(200, (await second.GetJsonAsync("/v1/merchant")).Status);
    }

    [Fact]
    public async Task A_leaked_key_that_rolls_itself_gains_nothing_that_outlives_the_merchants_next_roll()
    {
        var merchant = await gerbang.NewMerchantAsync();

        // The merchant rotates with an hour's grace; the old key leaks meanwhile.
        var (_, rotated, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 3600 });
        using var merchants = gerbang.KeyClient(rotated.Str("secret_key"));
        var leakedHint = ApiKeys.Hint(merchant.Key);
        var endsAt = (await KeyAsync(merchants, leakedHint)).Str("expires_at");

        // The leaked key rolls itself for a week: its own end does not move, and its child is one more key.
        var (_, stolen, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 7 * 24 * 3600 });
        using var attacker = gerbang.KeyClient(stolen.Str("secret_key"));
        Assert.Equal(endsAt, (await KeyAsync(merchants, leakedHint)).Str("expires_at"));
        Assert.Equal(200, (await attacker.GetJsonAsync("/v1/merchant")).Status);

        // The merchant's next roll retires every key of the mode: only the new one works.
        var (_, fresh, _) = await merchants.PostJsonAsync("/v1/merchant/api_keys/roll", null);
        using var now = gerbang.KeyClient(fresh.Str("secret_key"));
        Assert.Equal(401, (await attacker.GetJsonAsync("/v1/merchant")).Status);
        Assert.Equal(401, (await merchants.GetJsonAsync("/v1/merchant")).Status);
        Assert.Equal(401, (await merchant.Client.GetJsonAsync("/v1/merchant")).Status);
        Assert.Equal(200, (await now.GetJsonAsync("/v1/merchant")).Status);
        Assert.Single((await now.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data").EnumerateArray(), k => k.Str("status") == "active");
    }

    [Fact]
    public async Task Approvals_at_the_same_moment_issue_exactly_one_live_key()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var ops = await gerbang.AsRoleAsync("ops");
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "documents checked" })));
        Assert.Single(answers, a => a.Status == 200);
        Assert.All(answers.Where(a => a.Status != 200), a => Assert.Equal((409, "merchant_already_approved"), (a.Status, a.Body.Str("code"))));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from api_keys where merchant_id = $1 and mode = 'live'", merchant.Id));
    }
}

/// <summary>Gerbang with a small budget for keys it does not know: 5 per second per address.</summary>
public sealed class UnknownKeyFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:RateLimits:UnknownKeyPerSecond"] = "5";
}

public sealed class UnknownKeyTests(UnknownKeyFixture gerbang) : IClassFixture<UnknownKeyFixture>
{
    [Fact]
    public async Task Made_up_keys_share_one_bucket_per_address_with_malformed_ones_and_are_remembered_only_up_to_a_bound()
    {
        var merchant = await gerbang.NewMerchantAsync();
        Assert.Equal(200, (await merchant.Client.GetJsonAsync("/v1/merchant")).Status);
        var auth = gerbang.App.Services.GetRequiredService<MerchantAuthenticator>();
        var statuses = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            using var client = gerbang.KeyClient(i % 4 == 0 ? "not-a-key" : ApiKeys.New(Gerbang.Domain.Mode.Test));
            statuses.Add((await client.GetJsonAsync("/v1/merchant")).Status);
        }

        // A burst of 10, then 5 a second: most of the 40 are refused before any lookup.
        Assert.True(statuses.Count(s => s == 401) <= 20, string.Join(",", statuses));
        Assert.True(statuses.Count(s => s == 429) >= 20, string.Join(",", statuses));
        Assert.All(statuses, s => Assert.True(s is 401 or 429));
        Assert.True(auth.UnknownRemembered <= statuses.Count(s => s == 401));
        Assert.True(auth.UnknownRemembered <= MerchantAuthenticator.MaxUnknownRemembered);

        // A key Gerbang knows keeps its own bucket (its lookup, if its cache lapsed, waits for the address's next token).
        await Task.Delay(1100);
        Assert.Equal(200, (await merchant.Client.GetJsonAsync("/v1/merchant")).Status);
    }
}

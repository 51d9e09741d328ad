using System.Text;
using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// Sweeps generated from the route table, so a new route is covered or fails here: every <c>/v1</c>
/// route refuses a request without a key (401); every route naming an object answers 404, and changes
/// nothing, to another merchant and to the same merchant's key of the other mode.
/// </summary>
public sealed class RouteSweepTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    /// <summary>Routes whose parameter is not an object a merchant owns.</summary>
    private static readonly string[] NotObjects = ["/v1/events/stream"];

    private IReadOnlyList<(string Method, string Pattern)> MerchantRoutes()
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in gerbang.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/v1/", StringComparison.Ordinal) && pattern != "/v1")
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                routes.Add((method, pattern));
            }
        }

        Assert.True(routes.Count >= 30, $"only {routes.Count} /v1 routes found");
        return routes;
    }

    /// <summary>The kind of object a route names, by the path segment before its first parameter.</summary>
    private static string? ObjectOf(string pattern)
    {
        var brace = pattern.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0)
        {
            return null;
        }

        var before = pattern[..(brace - 1)];
        return before[(before.LastIndexOf('/') + 1)..];
    }

    /// <summary>A body each write route would accept from the object's owner, so only ownership can refuse it.</summary>
    private static string BodyFor(string method, string pattern) => (method, pattern) switch
    {
        ("POST", var p) when p.EndsWith("/refunds", StringComparison.Ordinal) => """{"amount":1000}""",
        ("PATCH", var p) when p.Contains("webhook_endpoints", StringComparison.Ordinal) => """{"disabled":true}""",
        ("POST", var p) when p.EndsWith("/capture", StringComparison.Ordinal) => """{"amount":1000}""",
        _ => "{}",
    };

    private sealed record Owner(HttpClient Client, Dictionary<string, string> Objects);

    /// <summary>A merchant with one object of every kind in the mode of <paramref name="client"/>.</summary>
    private async Task<Owner> OwnerAsync(HttpClient client, string merchantId)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var objects = new Dictionary<string, string>(StringComparer.Ordinal);
        var (_, endpoint, _) = await client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "*" } });
        objects["webhook_endpoints"] = endpoint.Str("id");
        var live = (await client.GetJsonAsync("/v1/merchant")).Body.GetProperty("livemode").GetBoolean();
        var (_, payment, _) = await client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-SWEEP-" + Guid.NewGuid().ToString("N")[..8]));
        objects["payments"] = payment.Str("id");
        var (_, session, _) = await client.PostJsonAsync("/v1/checkout/sessions", new { amount = 10_000, currency = "IDR", order_id = "SWEEP-" + Guid.NewGuid().ToString("N")[..8], success_url = "https://shop.example/ok", cancel_url = "https://shop.example/cancel" });
        objects["sessions"] = session.Str("id");
        var (_, account, _) = await client.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "1234567890", account_holder_name = "Sari" });
        objects["bank_accounts"] = account.Str("id");
        objects["api_keys"] = (await client.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data")[0].Str("id");
        if (!live)
        {
            await client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
            var (_, refund, _) = await client.PostJsonAsync($"/v1/payments/{payment.Str("id")}/refunds", new { amount = 1_000 });
            objects["refunds"] = refund.Str("id");

            // The snapshot compares states, so the refund settles before it is taken.
            await gerbang.DriveUntilAsync(client, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");
            using var ops = await gerbang.AsRoleAsync("ops");
            await ops.PostJsonAsync($"/admin/v1/merchants/{merchantId}/bank_accounts/{account.Str("id")}/verify", new { reason = "sweep" });
            var (_, payout, _) = await client.PostJsonAsync("/v1/disbursements", new { amount = 1_000, currency = "IDR", bank_account = account.Str("id") });
            objects["disbursements"] = payout.Str("id");
            await gerbang.DriveUntilAsync(client, $"/v1/disbursements/{payout.Str("id")}", "processing");
        }

        var (_, events) = await client.GetJsonAsync("/v1/events");
        objects["events"] = events.GetProperty("data")[0].Str("id");
        var (_, transactions) = await client.GetJsonAsync("/v1/balance_transactions");
        if (transactions.GetProperty("data").GetArrayLength() > 0)
        {
            objects["balance_transactions"] = transactions.GetProperty("data")[0].Str("id");
        }

        return new Owner(client, objects);
    }

    /// <summary>Everything the owner can read about its objects, to compare before and after.</summary>
    private static async Task<string> SnapshotAsync(Owner owner)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { "/v1/payments", "/v1/refunds", "/v1/webhook_endpoints", "/v1/bank_accounts", "/v1/merchant/api_keys", "/v1/disbursements", "/v1/balance" })
        {
            var (_, body) = await owner.Client.GetJsonAsync(path);
            text.Append(path).Append(' ').Append(Stable(body)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A body without the fields that move by themselves (delivery times, last use).</summary>
    private static string Stable(JsonElement body) =>
        System.Text.RegularExpressions.Regex.Replace(body.GetRawText(), "\"(last_used_at|updated_at|next_attempt_at|request_id)\":(\"[^\"]*\"|null)", "");

    [Fact]
    public async Task Every_v1_route_refuses_a_request_without_a_key()
    {
        using var anonymous = gerbang.KeyClient(null);
        var failures = new List<string>();
        foreach (var (method, pattern) in MerchantRoutes())
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "obj_missing");
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is not ("GET" or "DELETE"))
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await anonymous.SendAsync(request);
            if ((int)response.StatusCode != 401)
            {
                failures.Add($"{method} {pattern}: {(int)response.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_route_naming_an_object_answers_404_to_another_merchant_and_to_the_other_mode_and_changes_nothing()
    {
        var owner = await gerbang.NewMerchantAsync("Owner");
        using var ops = await gerbang.AsRoleAsync("ops");
        var (_, approved, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{owner.Id}/approve", new { reason = "sweep" });
        using var ownerLive = gerbang.KeyClient(approved.Str("live_secret_key"));
        var stranger = await gerbang.NewMerchantAsync("Stranger");

        var test = await OwnerAsync(owner.Client, owner.Id);
        var live = new Owner(ownerLive, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["api_keys"] = (await ownerLive.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data")[0].Str("id"),
        });
        var (_, liveAccount, _) = await ownerLive.PostJsonAsync("/v1/bank_accounts", new { bank_code = "bca", account_number = "9876543210", account_holder_name = "Sari" });
        live.Objects["bank_accounts"] = liveAccount.Str("id");

        var beforeTest = await SnapshotAsync(test);
        var beforeLive = await SnapshotAsync(live);
        var failures = new List<string>();
        var uncovered = new List<string>();
        var tried = 0;
        foreach (var (method, pattern) in MerchantRoutes())
        {
            if (ObjectOf(pattern) is not { } kind || NotObjects.Contains(pattern))
            {
                continue;
            }

            if (!test.Objects.TryGetValue(kind, out var id))
            {
                uncovered.Add($"{method} {pattern} ({kind})");
                continue;
            }

            // Another merchant, with the owner's test object; the owner's live key with its test object;
            // the owner's test key with its live object where one exists.
            var tries = new List<(string Who, HttpClient Client, string Id)> { ("another merchant", stranger.Client, id), ("the live key", ownerLive, id) };
            if (live.Objects.TryGetValue(kind, out var liveId))
            {
                tries.Add(("the test key", owner.Client, liveId));
            }

            foreach (var (who, client, objectId) in tries)
            {
                var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", objectId);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is not ("GET" or "DELETE"))
                {
                    request.Content = new StringContent(BodyFor(method, pattern), Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                tried++;
                if ((int)response.StatusCode != 404)
                {
                    failures.Add($"{method} {pattern} as {who}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(tried >= 50, $"only {tried} requests were swept");
        Assert.True(uncovered.Count == 0, "routes naming an object this sweep does not make: " + string.Join("; ", uncovered));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(beforeTest, await SnapshotAsync(test));
        Assert.Equal(beforeLive, await SnapshotAsync(live));
    }
}

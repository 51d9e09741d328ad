using System.Net.Http.Headers;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Admin;

public sealed class AdminAuthTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task The_bootstrap_admin_signs_in_and_creates_a_merchant_whose_key_works()
    {
        var (status, tokens, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email = GerbangFixture.AdminEmail, password = GerbangFixture.AdminPassword });
        Assert.Equal(200, status);
        Assert.Equal(900, tokens.GetProperty("expires_in").GetInt32());
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("access_token"));
        var (created, merchant, _) = await client.PostJsonAsync("/admin/v1/merchants", new { name = "Warung Sari", reason = "onboarding" });
        Assert.Equal(201, created);
        Assert.Matches("^sk_test_[0-9A-Za-z]{32}$", merchant.Str("secret_key"));
        Assert.StartsWith("mch_", merchant.Str("id"));
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(merchant.Str("secret_key"))));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from api_keys where encode(key_hash, 'hex') = lower($1)", hash));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from api_keys where key_hint like $1", merchant.Str("secret_key")));
    }

    [Fact]
    public async Task Wrong_passwords_and_missing_tokens_are_refused()
    {
        var (status, problem, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email = GerbangFixture.AdminEmail, password = "wrong password!!" });
        Assert.Equal(401, status);
        Assert.Equal("invalid_credentials", problem.Str("code"));
        var (unknown, _, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email = "nobody@x", password = "whatever-long-enough" });
        Assert.Equal(401, unknown);
        var (noToken, noTokenProblem, _) = await gerbang.Http.PostJsonAsync("/admin/v1/merchants", new { name = "x" });
        Assert.Equal(401, noToken);
        Assert.Equal("unauthorized", noTokenProblem.Str("code"));
        var merchant = await gerbang.NewMerchantAsync();
        var (withKey, _, _) = await merchant.Client.PostJsonAsync("/admin/v1/merchants", new { name = "x" });
        Assert.Equal(401, withKey);
    }

    [Fact]
    public async Task A_refresh_token_is_single_use_and_its_reuse_revokes_the_family()
    {
        var (_, first, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email = GerbangFixture.AdminEmail, password = GerbangFixture.AdminPassword });
        var (s1, second, _) = await gerbang.Http.PostJsonAsync("/admin/v1/token/refresh", new { refresh_token = first.Str("refresh_token") });
        Assert.Equal(200, s1);
        var (reuse, problem, _) = await gerbang.Http.PostJsonAsync("/admin/v1/token/refresh", new { refresh_token = first.Str("refresh_token") });
        Assert.Equal(401, reuse);
        Assert.Equal("refresh_token_reused", problem.Str("code"));
        var (revoked, _, _) = await gerbang.Http.PostJsonAsync("/admin/v1/token/refresh", new { refresh_token = second.Str("refresh_token") });
        Assert.Equal(401, revoked);
    }

    [Fact]
    public async Task Health_endpoints_answer_JSON()
    {
        var (live, liveBody) = await gerbang.Http.GetJsonAsync("/health/live");
        Assert.Equal(200, live);
        Assert.Equal("ok", liveBody.Str("status"));
        var (ready, readyBody) = await gerbang.Http.GetJsonAsync("/health/ready");
        Assert.Equal(200, ready);
        Assert.Equal("ready", readyBody.Str("status"));
    }

    [Fact]
    public async Task Secrets_never_reach_the_logs()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/x", enabled_events = new[] { "*" } });
        await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-LOG"));
        var logs = string.Join("\n", LogCapture.Lines);
        Assert.DoesNotContain(merchant.Key, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.Str("secret"), logs, StringComparison.Ordinal);
        Assert.DoesNotContain(GerbangFixture.AdminPassword, logs, StringComparison.Ordinal);
    }
}

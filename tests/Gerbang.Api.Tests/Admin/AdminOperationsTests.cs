using System.Net.Http.Headers;
using System.Text;
using Gerbang.Api.Tests.Infrastructure;
using Npgsql;

namespace Gerbang.Api.Tests.Admin;

public sealed class AdminOperationsTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Approval_issues_a_live_key_and_suspension_shuts_every_key_out_until_reactivated()
    {
        using var ops = await gerbang.AsRoleAsync("ops");
        var merchant = await gerbang.NewMerchantAsync();
        var (noReason, problem, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { });
        Assert.Equal(400, noReason);
        Assert.Equal("reason_required", problem.Str("code"));

        var (approved, body, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "KYC complete" });
        Assert.Equal(200, approved);
        var live = body.Str("live_secret_key");
        Assert.StartsWith("sk_live_", live);
        var (again, _, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/approve", new { reason = "twice" });
        Assert.Equal(409, again);

        using var liveClient = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        liveClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", live);
        var (liveProfile, profile) = await liveClient.GetJsonAsync("/v1/merchant");
        Assert.Equal(200, liveProfile);
        Assert.Equal(merchant.Id, profile.Str("id"));

        Assert.Equal(200, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/suspend", new { reason = "chargeback review" })).Status);
        var (testSuspended, suspendedProblem) = await merchant.Client.GetJsonAsync("/v1/payments");
        Assert.Equal(403, testSuspended);
        Assert.Equal("merchant_suspended", suspendedProblem.Str("code"));
        Assert.Equal(403, (await liveClient.GetJsonAsync("/v1/payments")).Status);

        Assert.Equal(200, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/reactivate", new { reason = "review cleared" })).Status);
        Assert.Equal(200, (await merchant.Client.GetJsonAsync("/v1/payments")).Status);

        var approvals = await gerbang.AuditAsync("merchant.approved");
        var entry = Assert.Single(approvals.EnumerateArray(), a => a.Str("target_id") == merchant.Id);
        Assert.Equal("KYC complete", entry.Str("reason"));
        Assert.Equal("ops", entry.Str("actor_role"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("before").GetProperty("approved_at").ValueKind);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, entry.GetProperty("after").GetProperty("approved_at").ValueKind);
        Assert.DoesNotContain(live, entry.GetRawText(), StringComparison.Ordinal);
        Assert.Contains((await gerbang.AuditAsync("merchant.suspended")).EnumerateArray(), e => e.Str("target_id") == merchant.Id);
    }

    [Fact]
    public async Task Rolling_a_key_stops_the_old_one_at_once_or_after_its_grace_period()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, rolled, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", null);
        Assert.Equal(200, status);
        Assert.Equal(401, (await merchant.Client.GetJsonAsync("/v1/payments")).Status);
        using var next = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        next.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rolled.Str("secret_key"));
        Assert.Equal(200, (await next.GetJsonAsync("/v1/payments")).Status);

        var (_, graced, _) = await next.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 3600 });
        Assert.NotNull(graced.GetProperty("previous_key_expires_at").GetString());
        Assert.Equal(200, (await next.GetJsonAsync("/v1/payments")).Status);
        gerbang.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(401, (await next.GetJsonAsync("/v1/payments")).Status);
    }

    [Fact]
    public async Task The_last_super_admin_cannot_be_demoted_or_disabled()
    {
        using var root = await gerbang.AsRoleAsync("super_admin");
        var (_, admins) = await root.GetJsonAsync("/admin/v1/admins");
        var supers = admins.GetProperty("data").EnumerateArray().Where(a => a.Str("role") == "super_admin" && !a.GetProperty("disabled").GetBoolean()).ToList();
        foreach (var extra in supers.Where(a => a.Str("email") != GerbangFixture.AdminEmail))
        {
            using var disable = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/admins/{extra.Str("id")}") { Content = Json("""{"disabled":true,"reason":"cleanup"}""") };
            await root.SendAsync(disable);
        }

        var me = supers.Single(a => a.Str("email") == GerbangFixture.AdminEmail).Str("id");
        using var demote = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/admins/{me}") { Content = Json("""{"role":"ops","reason":"try"}""") };
        using var refused = await root.SendAsync(demote);
        Assert.Equal(409, (int)refused.StatusCode);
        Assert.Equal("last_super_admin", (await TestApi.ReadAsync(refused)).Str("code"));

        var (second, _, _) = await gerbang.NewAdminAsync("super_admin");
        using var demoteSecond = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/admins/{second}") { Content = Json("""{"role":"finance","reason":"moved to finance"}""") };
        Assert.Equal(200, (int)(await root.SendAsync(demoteSecond)).StatusCode);
    }

    [Fact]
    public async Task Ten_failed_sign_ins_lock_the_account_for_thirty_minutes_and_each_is_audited()
    {
        var (id, email, password) = await gerbang.NewAdminAsync("finance");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password = "wrong password " + i })).Status);
        }

        Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password })).Status);
        gerbang.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(200, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password })).Status);
        var failures = (await gerbang.AuditAsync("admin.login_failed")).EnumerateArray().Where(a => a.Str("target_id") == id).ToList();
        Assert.Equal(11, failures.Count);
        Assert.All(failures, f => Assert.Equal("denied", f.Str("outcome")));
        Assert.Contains(failures, f => f.Str("reason") == "account locked");
    }

    [Fact]
    public async Task The_audit_log_is_append_only_in_the_database_and_reading_it_is_audited()
    {
        var before = (await gerbang.AuditAsync("audit_log.read")).GetArrayLength();
        Assert.True((await gerbang.AuditAsync("audit_log.read")).GetArrayLength() > before);
        foreach (var sql in new[] { "update audit_log set reason = 'edited'", "delete from audit_log", "truncate audit_log" })
        {
            await using var cmd = gerbang.Db.CreateCommand(sql);
            var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Equal("42501", error.SqlState);
        }
    }

    [Fact]
    public async Task Admins_read_themselves_and_change_their_password()
    {
        var (_, email, password) = await gerbang.NewAdminAsync("ops");
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await gerbang.LoginAsync(email, password));
        var (_, me) = await client.GetJsonAsync("/admin/v1/me");
        Assert.Equal(email, me.Str("email"));
        Assert.Equal("ops", me.Str("role"));
        Assert.Equal(400, (await client.PostJsonAsync("/admin/v1/me/password", new { current_password = password, new_password = "short" })).Status);
        Assert.Equal(422, (await client.PostJsonAsync("/admin/v1/me/password", new { current_password = "not it at all", new_password = "a brand new long password" })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/admin/v1/me/password", new { current_password = password, new_password = "a brand new long password" })).Status);
        Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password })).Status);
        Assert.Equal(200, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password = "a brand new long password" })).Status);
    }
}

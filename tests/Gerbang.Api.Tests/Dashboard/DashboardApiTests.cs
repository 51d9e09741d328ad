using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Dashboard;

/// <summary>The API reads the dashboard is built on, and the accounts that sign in to it, over HTTP.</summary>
public sealed class DashboardApiTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private async Task<string> PaidAsync(TestMerchant merchant, string order, string outcome = "pay")
    {
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment(order));
        Assert.Equal(201, status);
        Assert.Equal(200, (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/{outcome}", null)).Status);
        await gerbang.DriveUntilAsync(merchant, $"/v1/payments/{payment.Str("id")}", outcome == "pay" ? "paid" : "failed");
        return payment.Str("id");
    }

    [Fact]
    public async Task A_payment_lists_its_attempts_and_the_events_about_it_and_another_merchant_sees_neither()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var id = await PaidAsync(merchant, "ORDER-ATTEMPTS");
        await PaidAsync(merchant, "ORDER-OTHER");

        var (status, attempts) = await merchant.Client.GetJsonAsync($"/v1/payments/{id}/attempts");
        Assert.Equal(200, status);
        var attempt = Assert.Single(attempts.GetProperty("data").EnumerateArray());
        Assert.Equal(("payment_attempt", id, "simulator", "issued"), (attempt.Str("object"), attempt.Str("payment"), attempt.Str("provider"), attempt.Str("status")));

        var (_, events) = await merchant.Client.GetJsonAsync($"/v1/events?object={id}");
        var types = events.GetProperty("data").EnumerateArray().Select(e => e.Str("type")).Order().ToList();
        Assert.Equal(["payment.created", "payment.paid"], types);
        Assert.All(events.GetProperty("data").EnumerateArray(), e => Assert.Equal(id, e.GetProperty("data").GetProperty("object").Str("id")));

        var stranger = await gerbang.NewMerchantAsync();
        Assert.Equal(404, (await stranger.Client.GetJsonAsync($"/v1/payments/{id}/attempts")).Status);
        Assert.Empty((await stranger.Client.GetJsonAsync($"/v1/events?object={id}")).Body.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_webhook_endpoint_shows_its_delivery_log_newest_first()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = receiver.Url, enabled_events = new[] { "payment.paid" } });
        var id = await PaidAsync(merchant, "ORDER-LOG");
        await receiver.WaitForAsync(w => w.Text.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(15));

        var log = default(System.Text.Json.JsonElement);
        for (var i = 0; i < 50 && (log.ValueKind != System.Text.Json.JsonValueKind.Array || log.GetArrayLength() == 0); i++)
        {
            await Task.Delay(100);
            log = (await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/deliveries")).Body.GetProperty("data");
        }

        var attempt = Assert.Single(log.EnumerateArray());
        Assert.Equal(endpoint.Str("id"), attempt.Str("webhook_endpoint"));
        Assert.Equal(200, attempt.GetProperty("http_status").GetInt32());
        Assert.True(attempt.GetProperty("succeeded").GetBoolean());
        Assert.Equal(404, (await (await gerbang.NewMerchantAsync()).Client.GetJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/deliveries")).Status);
    }

    [Fact]
    public async Task Api_keys_are_listed_by_hint_and_a_roll_with_grace_shows_the_old_key_expiring()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, keys) = await merchant.Client.GetJsonAsync("/v1/merchant/api_keys");
        Assert.Equal(200, status);
        var key = Assert.Single(keys.GetProperty("data").EnumerateArray());
        Assert.Equal("active", key.Str("status"));
        Assert.DoesNotContain(merchant.Key, keys.ToString());
        Assert.EndsWith(merchant.Key[^4..], key.Str("hint"), StringComparison.Ordinal);

        var (rolled, _, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 3600 });
        Assert.Equal(200, rolled);
        var after = (await merchant.Client.GetJsonAsync("/v1/merchant/api_keys")).Body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["active", "expiring"], after.Select(k => k.Str("status")).ToList());
    }

    [Fact]
    public async Task Operators_invite_merchant_users_who_set_their_own_password_and_can_sign_in_to_the_dashboard_but_not_to_the_admin_api()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var email = $"kasir-{Guid.NewGuid():N}@toko.test";
        var request = new { email, reason = "owner asked" };
        using var finance = await gerbang.AsRoleAsync("finance");
        Assert.Equal(403, (await finance.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", request)).Status);
        using var ops = await gerbang.AsRoleAsync("ops");

        // Staff cannot choose the password: the field is refused, and nothing is created.
        var (withPassword, refused, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email, password = "a long enough password", reason = "owner asked" });
        Assert.Equal(400, withPassword);
        Assert.Equal("password", refused.Str("param"));
        Assert.Equal(400, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email = "not an email", reason = "owner asked" })).Status);
        Assert.Equal(404, (await ops.PostJsonAsync("/admin/v1/merchants/mch_missing/users", request)).Status);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from merchant_users where lower(email) = lower($1)", email));

        var (created, user, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", request);
        Assert.Equal(201, created);
        Assert.Equal((merchant.Id, email, false, true), (user.Str("merchant"), user.Str("email"), user.GetProperty("disabled").GetBoolean(), user.GetProperty("invited").GetBoolean()));
        Assert.DoesNotContain("password", user.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("/dashboard/invitation/", user.ToString(), StringComparison.Ordinal);
        Assert.Equal(409, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", request with { email = email.ToUpperInvariant() })).Status);
        var audit = (await gerbang.AuditAsync("merchant_user.invited")).EnumerateArray().Single(a => a.Str("target_id") == user.Str("id"));
        Assert.Equal("owner asked", audit.Str("reason"));
        Assert.DoesNotContain("/dashboard/invitation/", audit.ToString(), StringComparison.Ordinal);

        // Not signed in before the invitation is accepted, whatever password is tried.
        Assert.Equal(401, (int)(await gerbang.DashboardSignInAsync(email, "a long enough password")).Response.StatusCode);

        // The link went by mail to the invited address; a re-sent invitation voids the first link.
        var first = gerbang.InvitationLink(email);
        var (resent, _, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users/{user.Str("id")}/invite", new { reason = "lost the mail" });
        Assert.Equal(200, resent);
        var link = gerbang.InvitationLink(email);
        Assert.NotEqual(first, link);
        Assert.Equal(404, (int)(await gerbang.AcceptInvitationAsync(first, "a long enough password")).Response.StatusCode);

        // A short or mistyped password is refused and the link still works; then the user sets it, once.
        Assert.Equal(400, (int)(await gerbang.AcceptInvitationAsync(link, "short")).Response.StatusCode);
        Assert.Equal(400, (int)(await gerbang.AcceptInvitationAsync(link, "a long enough password", "another long password")).Response.StatusCode);
        var (accepted, _) = await gerbang.AcceptInvitationAsync(link, "a long enough password");
        Assert.Equal(302, (int)accepted.StatusCode);
        Assert.Equal(404, (int)(await gerbang.AcceptInvitationAsync(link, "a different long password")).Response.StatusCode);

        // An expired link does not work.
        var late = $"late-{Guid.NewGuid():N}@toko.test";
        Assert.Equal(201, (await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email = late, reason = "owner asked" })).Status);
        var lateLink = gerbang.InvitationLink(late);
        gerbang.Clock.Advance(TimeSpan.FromHours(73));
        Assert.Equal(404, (int)(await gerbang.AcceptInvitationAsync(lateLink, "a long enough password")).Response.StatusCode);

        // The mail file is readable only by Gerbang's user.
        var mail = Directory.GetFiles(gerbang.MailDirectory, "*.eml").First();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(mail));

        // A merchant user's password opens no admin token.
        Assert.Equal(401, (await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password = "a long enough password" })).Status);

        // The dashboard's sign-in refuses a wrong password (with the same lockout counter) and accepts the right one.
        var (wrong, _) = await gerbang.DashboardSignInAsync(email, "not the password at all");
        Assert.Equal(401, (int)wrong.StatusCode);
        Assert.Equal(1, await gerbang.CountAsync("select failed_logins from merchant_users where id = $1", user.Str("id")));
        var (right, _) = await gerbang.DashboardSignInAsync(email, "a long enough password");
        Assert.Equal(302, (int)right.StatusCode);
        Assert.Equal("/dashboard", right.Headers.Location!.OriginalString);
        Assert.Contains(right.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gerbang_dashboard=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, await gerbang.CountAsync("select failed_logins from merchant_users where id = $1", user.Str("id")));

        // The keys behind the cookie are in PostgreSQL, sealed: no key XML in the clear.
        Assert.True(await gerbang.CountAsync("select count(*) from data_protection_keys") >= 1);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from data_protection_keys where position(convert_to('<key', 'UTF8') in xml_sealed) > 0"));
    }

    [Fact]
    public async Task Payment_stats_count_what_the_payments_table_holds_per_provider_and_hour()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await PaidAsync(merchant, "ORDER-STATS-1");
        await PaidAsync(merchant, "ORDER-STATS-2");
        await PaidAsync(merchant, "ORDER-STATS-3", "fail");
        using var ops = await gerbang.AsRoleAsync("ops");
        var (status, stats) = await ops.GetJsonAsync("/admin/v1/stats/payments?livemode=false&hours=2");
        Assert.Equal(200, status);
        var rows = stats.GetProperty("data").EnumerateArray().Where(r => r.Str("provider") == "simulator").ToList();
        var from = DateTimeOffset.Parse(stats.Str("from"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(await gerbang.CountAsync("select count(*) from payments where provider = 'simulator' and mode = 'test' and created_at >= $1", from), rows.Sum(r => r.Long("created")));
        Assert.Equal(await gerbang.CountAsync("select count(*) from payments where provider = 'simulator' and mode = 'test' and status = 'paid' and created_at >= $1", from), rows.Sum(r => r.Long("paid")));
        Assert.True(rows.Sum(r => r.Long("unpaid")) >= 1);
        Assert.All(rows, r => Assert.InRange(r.GetProperty("success_rate").GetDouble(), 0, 1));

        Assert.Equal(400, (await ops.GetJsonAsync("/admin/v1/stats/payments?hours=0")).Status);
        Assert.Equal(400, (await ops.GetJsonAsync("/admin/v1/stats/payments?livemode=maybe")).Status);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await gerbang.Http.GetAsync("/admin/v1/stats/payments")).StatusCode);
    }
}

public sealed class StrictSignInLimitFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:RateLimits:AdminLoginPerMinute"] = "3";
}

public sealed class DashboardSignInLimitTests(StrictSignInLimitFixture gerbang) : IClassFixture<StrictSignInLimitFixture>
{
    [Fact]
    public async Task The_sign_in_page_shares_the_admin_sign_in_rate_limit_per_address()
    {
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/dashboard/login");
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([200, 200, 200, 429], statuses);
    }
}

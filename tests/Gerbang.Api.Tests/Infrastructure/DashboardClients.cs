namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>Merchant users, and dashboard sessions signed in the way a browser does (form, token, cookie).</summary>
public static class DashboardClients
{
    public const string MerchantUserPassword = "a long enough password";

    /// <summary>An operator invites a merchant user, who follows the mailed link and sets <see cref="MerchantUserPassword"/>.</summary>
    public static async Task<string> NewMerchantUserAsync(this GerbangFixture gerbang, TestMerchant merchant)
    {
        using var ops = await gerbang.AsRoleAsync("ops");
        var email = $"owner-{Guid.NewGuid():N}@shop.test";
        var (status, body, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email, reason = "shop owner asked for dashboard access" });
        Assert.True(status == 201, body.ToString());
        var (accepted, _) = await gerbang.AcceptInvitationAsync(gerbang.InvitationLink(email), MerchantUserPassword);
        Assert.Equal(302, (int)accepted.StatusCode);
        return email;
    }

    /// <summary>The newest invitation link mailed to <paramref name="email"/>, as its reader sees it.</summary>
    public static string InvitationLink(this GerbangFixture gerbang, string email)
    {
        var newest = Directory.Exists(gerbang.MailDirectory)
            ? Directory.GetFiles(gerbang.MailDirectory, "*.eml").Order(StringComparer.Ordinal)
                .Select(f => File.ReadAllText(f)).LastOrDefault(m => m.Contains("\r\nTo: " + email + "\r\n", StringComparison.Ordinal))
            : null;
        Assert.True(newest is not null, $"no mail to {email}");
        var link = System.Text.RegularExpressions.Regex.Match(newest!, @"https?://\S+/dashboard/invitation/[A-Za-z0-9_-]+").Value;
        Assert.NotEmpty(link);
        return link;
    }

    /// <summary>Opens the invitation link and sets the password through its form; the answer and the client.</summary>
    public static async Task<(HttpResponseMessage Response, HttpClient Client)> AcceptInvitationAsync(this GerbangFixture gerbang, string link, string password, string? confirm = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(gerbang.BaseUrl) };
        var path = new Uri(link).AbsolutePath;
        var page = await client.GetAsync(path);
        if (!page.IsSuccessStatusCode)
        {
            return (page, client);
        }

        var form = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = password, ["confirm"] = confirm ?? password, ["__csrf"] = token });
        return (await client.PostAsync(path, body), client);
    }

    /// <summary>Reads the sign-in form for its anti-forgery token and cookie, then posts it; redirects are not followed.</summary>
    public static async Task<(HttpResponseMessage Response, HttpClient Client)> DashboardSignInAsync(this GerbangFixture gerbang, string email, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(gerbang.BaseUrl) };
        var form = await client.GetStringAsync("/dashboard/login");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["password"] = password, ["__csrf"] = token });
        return (await client.PostAsync("/dashboard/login", body), client);
    }
}

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>Merchant users, and dashboard sessions signed in the way a browser does (form, token, cookie).</summary>
public static class DashboardClients
{
    public const string MerchantUserPassword = "a long enough password";

    public static async Task<string> NewMerchantUserAsync(this GerbangFixture gerbang, TestMerchant merchant)
    {
        using var ops = await gerbang.AsRoleAsync("ops");
        var email = $"owner-{Guid.NewGuid():N}@shop.test";
        var (status, body, _) = await ops.PostJsonAsync($"/admin/v1/merchants/{merchant.Id}/users", new { email, password = MerchantUserPassword, reason = "shop owner asked for dashboard access" });
        Assert.True(status == 201, body.ToString());
        return email;
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

using System.Net.Http.Headers;
using System.Text.Json;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>Signs in admins of each role (creating them once) and gives each an HTTP client.</summary>
public static class AdminClients
{
    public static async Task<HttpClient> AsRoleAsync(this GerbangFixture gerbang, string role)
    {
        var token = role == "super_admin" ? await gerbang.AdminTokenAsync() : await TokenForAsync(gerbang, role);
        var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<(string Id, string Email, string Password)> NewAdminAsync(this GerbangFixture gerbang, string role)
    {
        using var root = await gerbang.AsRoleAsync("super_admin");
        var email = $"{role}-{Guid.NewGuid():N}@gerbang.test";
        const string password = "a long enough password";
        var (status, body, _) = await root.PostJsonAsync("/admin/v1/admins", new { email, password, role, reason = "test admin" });
        Assert.Equal(201, status);
        return (body.Str("id"), email, password);
    }

    /// <summary>A new admin of <paramref name="role"/>, signed in: their client and email.</summary>
    public static async Task<(HttpClient Client, string Email)> NewAdminClientAsync(this GerbangFixture gerbang, string role)
    {
        var (_, email, password) = await gerbang.NewAdminAsync(role);
        var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await gerbang.LoginAsync(email, password));
        return (client, email);
    }

    public static async Task<string> LoginAsync(this GerbangFixture gerbang, string email, string password)
    {
        var (status, body, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password });
        Assert.Equal(200, status);
        return body.Str("access_token");
    }

    private static async Task<string> TokenForAsync(GerbangFixture gerbang, string role)
    {
        var (_, email, password) = await gerbang.NewAdminAsync(role);
        return await gerbang.LoginAsync(email, password);
    }

    public static async Task<JsonElement> AuditAsync(this GerbangFixture gerbang, string action)
    {
        using var root = await gerbang.AsRoleAsync("super_admin");
        var (_, body) = await root.GetJsonAsync($"/admin/v1/audit_log?action={action}&limit=100");
        return body.GetProperty("data");
    }
}

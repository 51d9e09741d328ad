using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Gerbang.Api.Admin;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gerbang.Api.Tests.Admin;

public sealed class JwtAttackTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private async Task<int> StatusWith(string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/admin/v1/merchants");
        return (int)response.StatusCode;
    }

    private async Task<string> SuperAdminIdAsync()
    {
        var handler = new JsonWebTokenHandler();
        return handler.ReadJsonWebToken(await gerbang.AdminTokenAsync()).GetClaim("sub").Value;
    }

    private string Forge(string sub, SecurityKey key, string issuer = AdminTokens.Issuer, string audience = AdminTokens.Audience, DateTime? notBefore = null, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now.AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", sub), new Claim("email", GerbangFixture.AdminEmail), new Claim("role", "super_admin")]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_genuine_token_works_and_every_forgery_gets_401()
    {
        Assert.Equal(200, await StatusWith(await gerbang.AdminTokenAsync()));
        var sub = await SuperAdminIdAsync();
        var realKey = gerbang.App.Services.GetRequiredService<AdminTokens>().SigningKey;
        var wrongKey = new SymmetricSecurityKey(new byte[32]);
        var now = DateTime.UtcNow;

        Assert.Equal(200, await StatusWith(Forge(sub, realKey)));
        Assert.Equal(401, await StatusWith(Forge(sub, wrongKey)));
        Assert.Equal(401, await StatusWith(Forge(sub, realKey, expires: now.AddMinutes(-5), notBefore: now.AddMinutes(-20))));
        Assert.Equal(401, await StatusWith(Forge(sub, realKey, notBefore: now.AddMinutes(10), expires: now.AddMinutes(20))));
        Assert.Equal(401, await StatusWith(Forge(sub, realKey, issuer: "someone-else")));
        Assert.Equal(401, await StatusWith(Forge(sub, realKey, audience: "another-app")));

        var exp = new DateTimeOffset(now.AddMinutes(10)).ToUnixTimeSeconds();
        var payload = $$"""{"sub":"{{sub}}","email":"x","role":"super_admin","iss":"gerbang","aud":"gerbang-admin","exp":{{exp}}}""";
        Assert.Equal(401, await StatusWith(B64("""{"alg":"none","typ":"JWT"}""") + "." + B64(payload) + "."));

        var genuine = Forge(sub, realKey).Split('.');
        var tampered = B64(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(genuine[1])).Replace("super_admin", "super_admin\",\"x\":\"y", StringComparison.Ordinal));
        Assert.Equal(401, await StatusWith($"{genuine[0]}.{tampered}.{genuine[2]}"));
        Assert.Equal(401, await StatusWith("not.a.token"));
    }

    [Fact]
    public async Task A_token_of_a_disabled_admin_stops_working_at_once()
    {
        var (id, email, password) = await gerbang.NewAdminAsync("ops");
        var token = await gerbang.LoginAsync(email, password);
        Assert.Equal(200, await StatusWith(token));
        using var root = await gerbang.AsRoleAsync("super_admin");
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/admin/v1/admins/{id}") { Content = new StringContent("""{"disabled":true,"reason":"left the company"}""", Encoding.UTF8, "application/json") };
        Assert.Equal(200, (int)(await root.SendAsync(patch)).StatusCode);
        Assert.Equal(401, await StatusWith(token));
        var (login, _, _) = await gerbang.Http.PostJsonAsync("/admin/v1/login", new { email, password });
        Assert.Equal(401, login);
    }
}

using System.Security.Claims;
using Gerbang.Api.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gerbang.Api.Admin;

/// <summary>Admin access tokens: HS256 JWTs for 15 minutes, signed with a key derived from the master key.</summary>
public sealed class AdminTokens(SecretBox secrets, TimeProvider timeProvider)
{
    public const string Issuer = "gerbang";
    public const string Audience = "gerbang-admin";
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(7);

    public SymmetricSecurityKey SigningKey { get; } = new(secrets.DeriveKey("admin-jwt")) { KeyId = "gerbang-admin-1" };

    public string Issue(string adminId, string email, string role)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + AccessLifetime,
            Subject = new ClaimsIdentity([new Claim("sub", adminId), new Claim("email", email), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),

        // Lifetimes are judged on the same clock that issued them.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var skew = TimeSpan.FromSeconds(30);
            return expires is { } exp && exp > now - skew && (notBefore is not { } nbf || nbf <= now + skew);
        },
        NameClaimType = "email",
        RoleClaimType = "role",
    };
}

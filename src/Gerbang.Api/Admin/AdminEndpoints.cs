using System.Security.Claims;
using System.Security.Cryptography;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary><c>/admin/v1</c>: sign-in with rotating refresh tokens, and merchant creation.</summary>
public static class AdminEndpoints
{
    public const string CanManageMerchants = "merchants:manage";

    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminTokens>();
        services.AddSingleton<MerchantService>();
        services.AddSingleton<AdminBootstrap>();
        // No default scheme: only admin routes ask for a JWT, so merchant keys on /v1 are never parsed as one.
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AdminTokens>((o, tokens) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = tokens.ValidationParameters();
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(CanManageMerchants, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireClaim("role", "super_admin", "ops"));
        return services;
    }

    public static void MapAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/v1").WithTags("admin");
        admin.MapPost("/login", LoginAsync).AllowAnonymous();
        admin.MapPost("/token/refresh", RefreshAsync).AllowAnonymous();
        admin.MapPost("/merchants", CreateMerchantAsync).RequireAuthorization(CanManageMerchants);
    }

    public sealed record TokenView(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

    private static async Task<ApiResponse> LoginAsync(HttpContext http, NpgsqlDataSource db, AdminTokens tokens, TimeProvider clock)
    {
        var (root, problem) = await RequestBody.ReadObjectAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var f = new Fields(root);
        var email = f.String("email", required: true, maxLength: 200);
        var password = f.String("password", required: true, maxLength: 200);
        f.RejectUnknown();
        if (f.Errors.Count > 0)
        {
            return Problems.Validation(f.Errors);
        }

        await using var cmd = db.CreateCommand("select id, email, password_hash, role, disabled_at is not null from admins where lower(email) = lower($1)");
        cmd.Parameters.Add(new() { Value = email! });
        string? id = null, storedEmail = null, hash = null, role = null;
        var disabled = false;
        await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
        {
            if (await reader.ReadAsync(http.RequestAborted))
            {
                (id, storedEmail, hash, role, disabled) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4));
            }
        }

        var valid = PasswordHasher.Verify(password!, hash ?? PasswordHasher.Decoy) && id is not null && !disabled;
        if (!valid)
        {
            return Problems.Create(401, "invalid_credentials", "Email or password is wrong.");
        }

        return ApiResponse.Ok(await IssueAsync(db, tokens, clock, id!, storedEmail!, role!, familyId: null, http.RequestAborted));
    }

    private static async Task<ApiResponse> RefreshAsync(HttpContext http, NpgsqlDataSource db, AdminTokens tokens, TimeProvider clock)
    {
        var (root, problem) = await RequestBody.ReadObjectAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var f = new Fields(root);
        var presented = f.String("refresh_token", required: true, maxLength: 200);
        f.RejectUnknown();
        if (f.Errors.Count > 0)
        {
            return Problems.Validation(f.Errors);
        }

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        await using var cmd = new NpgsqlCommand("""
            select t.id, t.family_id, t.expires_at, t.used_at is not null, t.revoked_at is not null, a.id, a.email, a.role, a.disabled_at is not null
            from refresh_tokens t join admins a on a.id = t.admin_id
            where t.token_hash = $1 for update of t
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(presented!)) });
        string tokenId, familyId, adminId, email, role;
        bool expired, used, revoked, disabled;
        await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
        {
            if (!await reader.ReadAsync(http.RequestAborted))
            {
                return Problems.Create(401, "invalid_refresh_token", "The refresh token is not valid.");
            }

            (tokenId, familyId, expired, used, revoked) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2) <= now, reader.GetBoolean(3), reader.GetBoolean(4));
            (adminId, email, role, disabled) = (reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetBoolean(8));
        }

        if (used)
        {
            // A spent token presented again means it leaked: revoke the whole family.
            await using var revoke = new NpgsqlCommand("update refresh_tokens set revoked_at = $2 where family_id = $1 and revoked_at is null", conn, tx);
            revoke.Parameters.Add(new() { Value = familyId });
            revoke.Parameters.Add(new() { Value = now });
            await revoke.ExecuteNonQueryAsync(http.RequestAborted);
            await tx.CommitAsync(http.RequestAborted);
            return Problems.Create(401, "refresh_token_reused", "This refresh token was already used; every token of its sign-in is now revoked.");
        }

        if (expired || revoked || disabled)
        {
            return Problems.Create(401, "invalid_refresh_token", "The refresh token is not valid.");
        }

        await using (var spend = new NpgsqlCommand("update refresh_tokens set used_at = $2 where id = $1", conn, tx))
        {
            spend.Parameters.Add(new() { Value = tokenId });
            spend.Parameters.Add(new() { Value = now });
            await spend.ExecuteNonQueryAsync(http.RequestAborted);
        }

        await tx.CommitAsync(http.RequestAborted);
        return ApiResponse.Ok(await IssueAsync(db, tokens, clock, adminId, email, role, familyId, http.RequestAborted));
    }

    private static async Task<TokenView> IssueAsync(NpgsqlDataSource db, AdminTokens tokens, TimeProvider clock, string adminId, string email, string role, string? familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var refresh = "rt_" + Ids.RandomBase62(48);
        await using var cmd = db.CreateCommand("insert into refresh_tokens (id, admin_id, family_id, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.Add(new() { Value = Ids.New("rtk") });
        cmd.Parameters.Add(new() { Value = adminId });
        cmd.Parameters.Add(new() { Value = familyId ?? Ids.New("rtf") });
        cmd.Parameters.Add(new() { Value = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(refresh)) });
        cmd.Parameters.Add(new() { Value = now + AdminTokens.RefreshLifetime });
        cmd.Parameters.Add(new() { Value = now });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new TokenView(tokens.Issue(adminId, email, role), refresh, "Bearer", (int)AdminTokens.AccessLifetime.TotalSeconds);
    }

    public sealed record CreatedMerchantView(string Id, string Object, string Name, string Status, string? SupportEmail, string? StatementName, string? ApprovedAt, string CreatedAt, string SecretKey);

    private static async Task<ApiResponse> CreateMerchantAsync(HttpContext http, MerchantService merchants, ClaimsPrincipal user)
    {
        _ = user;
        var (root, problem) = await RequestBody.ReadObjectAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var f = new Fields(root);
        var name = f.String("name", required: true, maxLength: 200);
        var email = f.String("support_email", required: false, maxLength: 200);
        f.String("reason", required: false, maxLength: 500);
        f.RejectUnknown();
        if (f.Errors.Count > 0)
        {
            return Problems.Validation(f.Errors);
        }

        var (m, key) = await merchants.CreateAsync(name!, email, http.RequestAborted);
        return ApiResponse.Ok(new CreatedMerchantView(m.Id, m.Object, m.Name, m.Status, m.SupportEmail, m.StatementName, m.ApprovedAt, m.CreatedAt, key), 201);
    }
}

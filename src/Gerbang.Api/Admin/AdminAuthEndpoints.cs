using System.Security.Cryptography;
using System.Text;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Sign-in, token refresh, and an admin's own account.</summary>
public static class AdminAuthEndpoints
{
    public sealed record TokenView(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

    public sealed record AdminView(string Id, string Object, string Email, string Role, bool Disabled, string? LastLoginAt, string CreatedAt);

    public static void MapAdminAuth(this RouteGroupBuilder admin)
    {
        var auth = admin.MapGroup("").WithTags("admin auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(RateLimits.AdminLogin).CalledBy(ApiCaller.Anonymous)
            .Doc("adminLogin", "Sign in", "An access token (15 minutes) and a refresh token for an admin's email and password.")
            .Body(new AdminLoginBody { Email = "ops@gerbang.example", Password = "correct horse battery staple" }).Returns<TokenView>()
            .Fails(400, "parameter_invalid_length").Fails(401, "invalid_credentials").Fails(429, "rate_limited");
        auth.MapPost("/token/refresh", RefreshAsync).AllowAnonymous().RequireRateLimiting(RateLimits.AdminLogin).CalledBy(ApiCaller.Anonymous)
            .Doc("adminRefreshToken", "Refresh the tokens", "New tokens for a refresh token, which is used up; presenting it again revokes the whole sign-in.")
            .Body(new RefreshTokenBody { RefreshToken = "rt_01JABCDEFGHJKMNPQRSTVWXYZ0" }).Returns<TokenView>()
            .Fails(401, "invalid_refresh_token", "refresh_token_reused").Fails(429, "rate_limited");
        auth.MapGet("/me", MeAsync).RequireAuthorization(AdminRoles.Self).Doc("getAdminSelf", "Get the signed-in admin").Returns<AdminView>().NotFound();
        auth.MapPost("/me/password", ChangePasswordAsync).RequireAuthorization(AdminRoles.Self)
            .Doc("changeAdminPassword", "Change the password", "Every other sign-in of the admin ends.")
            .Body(new ChangePasswordBody { CurrentPassword = "correct horse battery staple", NewPassword = "a longer passphrase for 2027" }).Returns<PasswordChangedView>()
            .Fails(400, "parameter_invalid_length").Fails(422, "current_password_wrong");
    }

    private static readonly Refusal InvalidRefreshToken = new(401, "invalid_refresh_token", "The refresh token is not valid.");

    internal static async Task<Result<TokenView>> LoginAsync(
        Body<AdminLoginBody> body, ClientAddress client, NpgsqlDataSource db, AdminTokens tokens, PasswordSignIn signIn, TimeProvider clock, CancellationToken cancellationToken)
    {
        var account = await signIn.CheckAsync(body.Value.Email, body.Value.Password, merchantUsers: false, client.Ip, cancellationToken);
        if (account is null)
        {
            return new Refusal(401, "invalid_credentials", "Email or password is wrong, or the account is locked.");
        }

        return await IssueAsync(db, tokens, clock, account.Id, account.Email, account.Role, familyId: null, cancellationToken);
    }

    internal static async Task<Result<TokenView>> RefreshAsync(
        Body<RefreshTokenBody> body, ClientAddress client, NpgsqlDataSource db, AdminTokens tokens, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var presented = body.Value.RefreshToken;
        var now = clock.GetUtcNow();
        var ip = client.Ip;
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("""
            select t.id, t.family_id, t.expires_at, t.used_at is not null, t.revoked_at is not null, a.id, a.email, a.role, a.disabled_at is not null
            from refresh_tokens t join admins a on a.id = t.admin_id
            where t.token_hash = $1 for update of t
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(presented)) });
        string tokenId, familyId, adminId, email, role;
        bool expired, used, revoked, disabled;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                await audit.WriteAsync(null, new AuditEntry("admin.refresh_failed", null, null, null, null, "unknown refresh token", "denied"), ip, CancellationToken.None);
                return InvalidRefreshToken;
            }

            (tokenId, familyId, expired, used, revoked) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2) <= now, reader.GetBoolean(3), reader.GetBoolean(4));
            (adminId, email, role, disabled) = (reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetBoolean(8));
        }

        if (used)
        {
            // A spent token presented again means it leaked: revoke the whole family.
            await using var revoke = new NpgsqlBatch(conn, tx);
            var cmdRevoke = new NpgsqlBatchCommand("update refresh_tokens set revoked_at = $2 where family_id = $1 and revoked_at is null");
            cmdRevoke.Parameters.Add(new() { Value = familyId });
            cmdRevoke.Parameters.Add(new() { Value = now });
            revoke.BatchCommands.Add(cmdRevoke);
            revoke.BatchCommands.Add(audit.Command(null, new AuditEntry("admin.refresh_reused", "admin", adminId, null, null, "spent refresh token presented again; family revoked", "denied"), ip));
            await revoke.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return new Refusal(401, "refresh_token_reused", "This refresh token was already used; every token of its sign-in is now revoked.");
        }

        if (expired || revoked || disabled)
        {
            return InvalidRefreshToken;
        }

        await using (var spend = new NpgsqlCommand("update refresh_tokens set used_at = $2 where id = $1", conn, tx))
        {
            spend.Parameters.Add(new() { Value = tokenId });
            spend.Parameters.Add(new() { Value = now });
            await spend.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return await IssueAsync(db, tokens, clock, adminId, email, role, familyId, cancellationToken);
    }

    internal static async Task<Result<AdminView>> MeAsync(AdminActor actor, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        await AdminUserEndpoints.FindAsync(db, actor.Id, cancellationToken) is { } me ? me : Refusal.NotFound("admin");

    internal static async Task<Result<PasswordChangedView>> ChangePasswordAsync(
        Body<ChangePasswordBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (current, next) = (body.Value.CurrentPassword, body.Value.NewPassword);
        await using var select = db.CreateCommand("select password_hash from admins where id = $1");
        select.Parameters.Add(new() { Value = actor.Id });
        if (await select.ExecuteScalarAsync(cancellationToken) is not string hash || !PasswordHasher.Verify(current, hash))
        {
            await audit.WriteAsync(actor, new AuditEntry("admin.password_change_failed", "admin", actor.Id, null, null, "wrong current password", "denied"), cancellationToken: CancellationToken.None);
            return new Refusal(422, "current_password_wrong", "The current password is wrong.", "current_password");
        }

        await using var batch = db.CreateBatch();
        var update = new NpgsqlBatchCommand("update admins set password_hash = $2, updated_at = $3 where id = $1");
        update.Parameters.Add(new() { Value = actor.Id });
        update.Parameters.Add(new() { Value = PasswordHasher.Hash(next, configuration) });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        var revoke = new NpgsqlBatchCommand("update refresh_tokens set revoked_at = $2 where admin_id = $1 and revoked_at is null");
        revoke.Parameters.Add(new() { Value = actor.Id });
        revoke.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(revoke);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("admin.password_changed", "admin", actor.Id, null, null, "changed by the admin")));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return new PasswordChangedView(true);
    }

    private static async Task<TokenView> IssueAsync(NpgsqlDataSource db, AdminTokens tokens, TimeProvider clock, string adminId, string email, string role, string? familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var refresh = "rt_" + Ids.RandomBase62(48);
        await using var cmd = db.CreateCommand("insert into refresh_tokens (id, admin_id, family_id, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.Add(new() { Value = Ids.New("rtk") });
        cmd.Parameters.Add(new() { Value = adminId });
        cmd.Parameters.Add(new() { Value = familyId ?? Ids.New("rtf") });
        cmd.Parameters.Add(new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(refresh)) });
        cmd.Parameters.Add(new() { Value = now + AdminTokens.RefreshLifetime });
        cmd.Parameters.Add(new() { Value = now });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new TokenView(tokens.Issue(adminId, email, role), refresh, "Bearer", (int)AdminTokens.AccessLifetime.TotalSeconds);
    }
}

/// <summary>The address a request came from (what the audit log records of a sign-in), as a handler's parameter.</summary>
public sealed record ClientAddress(string? Ip)
{
    public static ValueTask<ClientAddress?> BindAsync(HttpContext http, System.Reflection.ParameterInfo parameter) =>
        ValueTask.FromResult<ClientAddress?>(new(http.Connection.RemoteIpAddress?.ToString()));
}

public sealed record AdminLoginBody : IRequestBody<AdminLoginBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string Email { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string Password { get; init; }

    public static AdminLoginBody? Read(Fields f)
    {
        var email = f.String("email", required: true, maxLength: 200);
        var password = f.String("password", required: true, maxLength: 200);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new AdminLoginBody { Email = email!, Password = password! };
    }
}

public sealed record RefreshTokenBody : IRequestBody<RefreshTokenBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string RefreshToken { get; init; }

    public static RefreshTokenBody? Read(Fields f)
    {
        var presented = f.String("refresh_token", required: true, maxLength: 200);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new RefreshTokenBody { RefreshToken = presented! };
    }
}

public sealed record ChangePasswordBody : IRequestBody<ChangePasswordBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public required string CurrentPassword { get; init; }

    [System.ComponentModel.Description("At least 12 characters.")]
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 12)]
    public required string NewPassword { get; init; }

    public static ChangePasswordBody? Read(Fields f)
    {
        var current = f.String("current_password", required: true, maxLength: 200);
        var next = f.String("new_password", required: true, minLength: PasswordHasher.MinLength, maxLength: 200);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ChangePasswordBody { CurrentPassword = current!, NewPassword = next! };
    }
}

public sealed record PasswordChangedView(bool Changed);

using System.Security.Cryptography;
using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Mail;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary><c>Gerbang:Invitations</c>: how long a merchant user's invitation link works.</summary>
public sealed class InvitationOptions
{
    public const string Section = "Gerbang:Invitations";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(72);
}

/// <summary>
/// Merchant users are invited: a one-time link, sent to the invited address only and expiring, where
/// they set their own password. Staff never learn it and so cannot sign in as the merchant. Only the
/// link's hash is stored; a new invitation makes earlier ones void.
/// </summary>
public sealed class MerchantInvitations(NpgsqlDataSource db, MailPickup mail, GerbangUrls urls, IOptions<InvitationOptions> options, IConfiguration configuration, TimeProvider clock)
{
    public const string Path = "/dashboard/invitation/";

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Commands that void the user's earlier links and store a new one; the token is for the mail only.</summary>
    public (IReadOnlyList<NpgsqlBatchCommand> Commands, string Token, DateTimeOffset ExpiresAt) Create(string userId)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var expires = now + options.Value.Lifetime;
        var voidOld = new NpgsqlBatchCommand("update merchant_user_invitations set used_at = $2 where user_id = $1 and used_at is null");
        voidOld.Parameters.Add(new() { Value = userId });
        voidOld.Parameters.Add(new() { Value = now });
        var insert = new NpgsqlBatchCommand("insert into merchant_user_invitations (token_hash, user_id, expires_at, created_at) values ($1, $2, $3, $4)");
        insert.Parameters.Add(new() { Value = Hash(token) });
        insert.Parameters.Add(new() { Value = userId });
        insert.Parameters.Add(new() { Value = expires });
        insert.Parameters.Add(new() { Value = now });
        return ([voidOld, insert], token, expires);
    }

    public Task SendAsync(string email, string merchantName, string token, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        mail.SendAsync(
            email,
            $"You are invited to {merchantName}'s Gerbang dashboard",
            $"""
            You are invited to sign in to {merchantName}'s Gerbang dashboard as {email}.

            Set your password here (the link works once, until {expiresAt:yyyy-MM-dd HH:mm} UTC):
            {urls.Public}{Path}{token}

            If you did not expect this, ignore it: nothing happens until the link is used.
            """,
            cancellationToken);

    /// <summary>The invited email, while the link is unused and unexpired.</summary>
    public async Task<string?> FindAsync(string token, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select u.email from merchant_user_invitations i join merchant_users u on u.id = i.user_id
            where i.token_hash = $1 and i.used_at is null and i.expires_at > $2 and u.disabled_at is null
            """);
        cmd.Parameters.Add(new() { Value = Hash(token) });
        cmd.Parameters.Add(new() { Value = clock.GetUtcNow() });
        return (string?)await cmd.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Sets the invited user's password and uses the link up; false when the link is not (or no longer) valid.</summary>
    public async Task<bool> AcceptAsync(string token, string password, string? sourceIp, AuditLog audit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        string? userId;
        await using (var use = new NpgsqlCommand("""
            update merchant_user_invitations i set used_at = $2
            from merchant_users u
            where i.token_hash = $1 and i.used_at is null and i.expires_at > $2 and u.id = i.user_id and u.disabled_at is null
            returning i.user_id
            """, conn, tx))
        {
            use.Parameters.Add(new() { Value = Hash(token) });
            use.Parameters.Add(new() { Value = now });
            userId = (string?)await use.ExecuteScalarAsync(cancellationToken);
        }

        if (userId is null)
        {
            return false;
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        var set = new NpgsqlBatchCommand("update merchant_users set password_hash = $2, failed_logins = 0, locked_until = null, updated_at = $3 where id = $1");
        set.Parameters.Add(new() { Value = userId });
        set.Parameters.Add(new() { Value = PasswordHasher.Hash(password, configuration) });
        set.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(set);
        batch.BatchCommands.Add(audit.Command(null, new AuditEntry("merchant_user.password_set", "merchant_user", userId, null, null, "invitation accepted"), sourceIp));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}

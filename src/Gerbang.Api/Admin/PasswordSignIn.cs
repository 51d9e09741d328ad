using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>
/// Password sign-in for admins (admin API and dashboard) and merchant users (dashboard only): one
/// lockout rule and one audit trail for both. An email that is both an admin and a merchant user signs
/// in as the admin.
/// </summary>
public sealed class PasswordSignIn(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public const int MaxFailedLogins = 10;
    public const string MerchantRole = "merchant";
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(30);

    /// <summary>Who signed in; <see cref="MerchantId"/> is set for a merchant user.</summary>
    public sealed record Account(string Id, string Email, string Role, string? MerchantId);

    public async Task<Account?> CheckAsync(string email, string password, bool merchantUsers, string? ip, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var cmd = db.CreateCommand("""
            select id, email, password_hash, role, disabled, locked_until, merchant_id from (
                select 0 as k, id, email, password_hash, role, disabled_at is not null as disabled, locked_until, null::text as merchant_id
                from admins where lower(email) = lower($1)
                union all
                select 1, id, email, password_hash, 'merchant', disabled_at is not null, locked_until, merchant_id
                from merchant_users where $2 and lower(email) = lower($1) and password_hash is not null
            ) candidates order by k limit 1
            """);
        cmd.Parameters.Add(new() { Value = email });
        cmd.Parameters.Add(new() { Value = merchantUsers });
        Account? account = null;
        string? hash = null;
        var disabled = false;
        DateTimeOffset? lockedUntil = null;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                account = new Account(reader.GetString(0), reader.GetString(1), reader.GetString(3), reader.IsDBNull(6) ? null : reader.GetString(6));
                hash = reader.GetString(2);
                disabled = reader.GetBoolean(4);
                lockedUntil = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
            }
        }

        // Verify even when the email is unknown or locked, so timing tells nothing about either.
        var passwordOk = PasswordHasher.Verify(password, hash ?? PasswordHasher.Decoy);
        var locked = lockedUntil > now;
        var table = account?.MerchantId is null ? "admins" : "merchant_users";
        var kind = account?.MerchantId is null ? "admin" : "merchant_user";
        if (!passwordOk || account is null || disabled || locked)
        {
            var why = account is null ? "unknown email" : disabled ? "account disabled" : locked ? "account locked" : "wrong password";
            await using var batch = db.CreateBatch();
            if (account is not null && !locked && !passwordOk)
            {
                var count = new NpgsqlBatchCommand($"""
                    update {table} set failed_logins = failed_logins + 1,
                        locked_until = case when failed_logins + 1 >= $2 then $3 else locked_until end
                    where id = $1
                    """);
                count.Parameters.Add(new() { Value = account.Id });
                count.Parameters.Add(new() { Value = MaxFailedLogins });
                count.Parameters.Add(new() { Value = now + LockFor });
                batch.BatchCommands.Add(count);
            }

            batch.BatchCommands.Add(audit.Command(null, new AuditEntry($"{kind}.login_failed", kind, account?.Id, null, new { email }, why, "denied"), ip));
            await batch.ExecuteNonQueryAsync(CancellationToken.None);
            return null;
        }

        await using var ok = db.CreateCommand($"update {table} set failed_logins = 0, locked_until = null, last_login_at = $2 where id = $1");
        ok.Parameters.Add(new() { Value = account.Id });
        ok.Parameters.Add(new() { Value = now });
        await ok.ExecuteNonQueryAsync(cancellationToken);
        return account;
    }

    /// <summary>
    /// Whether a session issued earlier still stands: the account is enabled and, for an admin, still
    /// has the role the session carries; a merchant user still belongs to the merchant.
    /// </summary>
    public async Task<bool> StillAllowedAsync(string id, string role, string? merchantId, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand(role == MerchantRole
            ? "select disabled_at is null and merchant_id = $3 from merchant_users where id = $1"
            : "select role = $2 and disabled_at is null from admins where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = role });
        cmd.Parameters.Add(new() { Value = merchantId ?? "" });
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }
}

using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>
/// The people of a merchant who may sign in to the dashboard. Operators invite them (the link goes to
/// the invited address, never to the operator) and can disable them; the user sets their own password.
/// A merchant user sees only their own merchant.
/// </summary>
public static class MerchantUserEndpoints
{
    private const string Columns = "id, merchant_id, email, disabled_at is not null, last_login_at, created_at, password_hash is null";

    public sealed record MerchantUserView(string Id, string Object, string Merchant, string Email, bool Disabled, bool Invited, string? LastLoginAt, string CreatedAt);

    /// <summary>A new user's answer: who was invited and until when the link works (the link itself went by mail).</summary>
    public sealed record InvitedUserView(string Id, string Object, string Merchant, string Email, bool Disabled, bool Invited, string? LastLoginAt, string CreatedAt, string InvitationExpiresAt);

    public static void MapMerchantUsers(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/merchants/{id}/users").WithTags("admin merchants");
        users.MapPost("", CreateAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("inviteMerchantUser", "Invite a merchant user", "Mails a one-time link (72 hours) to the address; the person sets their own password.")
            .Body(new InviteMerchantUserBody { Email = "owner@tokobudi.example", Reason = "Owner's dashboard access" }).Returns<InvitedUserView>(201).NotFound()
            .Fails(400, "reason_required").Fails(409, "merchant_user_exists");
        users.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listMerchantUsers", "List a merchant's users").Returns<ListQuery.ListView<MerchantUserView>>();
        users.MapPatch("/{user}", UpdateAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("updateMerchantUser", "Disable or enable a merchant user").Body(new UpdateMerchantUserBody { Disabled = true, Reason = "Left the company" })
            .Returns<MerchantUserView>().NotFound().Fails(400, "reason_required");
        users.MapPost("/{user}/invite", ReinviteAsync).RequireAuthorization(AdminRoles.ManageMerchants)
            .Doc("reinviteMerchantUser", "Send a new invitation", "A new link; the old one stops working.").Body(new ReasonBody { Reason = "The first link expired" })
            .Returns<InvitedUserView>().NotFound().Fails(400, "reason_required");
    }

    private static MerchantUserView Read(NpgsqlDataReader r) => new(
        r.GetString(0), "merchant_user", r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(6),
        r.IsDBNull(4) ? null : ApiJson.Time(r.GetFieldValue<DateTimeOffset>(4)), ApiJson.Time(r.GetFieldValue<DateTimeOffset>(5)));

    internal static async Task<Result<InvitedUserView>> CreateAsync(
        string id, Body<InviteMerchantUserBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantInvitations invitations, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (email, reason) = (body.Value.Email, body.Value.Reason);
        var merchant = await merchants.FindAsync(id, cancellationToken);
        if (merchant is null)
        {
            return Refusal.NotFound("merchant");
        }

        var now = clock.GetUtcNow();
        var userId = Ids.New(Ids.MerchantUser);
        var (commands, token, expires) = invitations.Create(userId);
        var view = new InvitedUserView(userId, "merchant_user", id, email, false, true, null, ApiJson.Time(now), ApiJson.Time(expires));
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("insert into merchant_users (id, merchant_id, email, password_hash, created_at, updated_at) values ($1, $2, $3, null, $4, $4)");
        foreach (var v in new object[] { userId, id, email, now })
        {
            insert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(insert);
        foreach (var c in commands)
        {
            batch.BatchCommands.Add(c);
        }

        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("merchant_user.invited", "merchant_user", userId, null, view, reason)));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new Refusal(409, "merchant_user_exists", "A merchant user with this email exists.", "email");
        }

        await invitations.SendAsync(email, merchant.Name, token, expires, CancellationToken.None);
        return Result<InvitedUserView>.Created(view);
    }

    /// <summary>Sends a new link (earlier ones stop working), to set a first password or a new one.</summary>
    internal static async Task<Result<InvitedUserView>> ReinviteAsync(
        string id, string user, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, MerchantService merchants, AuditLog audit, MerchantInvitations invitations, CancellationToken cancellationToken)
    {
        var reason = body.Value.Reason;

        MerchantUserView? found = null;
        await using (var cmd = db.CreateCommand($"select {Columns} from merchant_users where id = $1 and merchant_id = $2 and disabled_at is null"))
        {
            cmd.Parameters.Add(new() { Value = user });
            cmd.Parameters.Add(new() { Value = id });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                found = Read(reader);
            }
        }

        var merchant = await merchants.FindAsync(id, cancellationToken);
        if (found is null || merchant is null)
        {
            return Refusal.NotFound("merchant_user");
        }

        var (commands, token, expires) = invitations.Create(user);
        await using var batch = db.CreateBatch();
        foreach (var c in commands)
        {
            batch.BatchCommands.Add(c);
        }

        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("merchant_user.invited", "merchant_user", user, null, new { email = found.Email, invitation_expires_at = ApiJson.Time(expires) }, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await invitations.SendAsync(found.Email, merchant.Name, token, expires, CancellationToken.None);
        return new InvitedUserView(found.Id, found.Object, found.Merchant, found.Email, found.Disabled, found.Invited, found.LastLoginAt, found.CreatedAt, ApiJson.Time(expires));
    }

    internal static async Task<Result<ListQuery.ListView<MerchantUserView>>> ListAsync(string id, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from merchant_users where merchant_id = $1 order by seq desc limit 100");
        cmd.Parameters.Add(new() { Value = id });
        var rows = new List<MerchantUserView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return ListQuery.View(rows, false, $"/admin/v1/merchants/{id}/users");
    }

    /// <summary>Disables or enables a merchant user; a body without <c>disabled</c> changes nothing but is audited.</summary>
    internal static async Task<Result<MerchantUserView>> UpdateAsync(
        string id, string user, Body<UpdateMerchantUserBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var reason = body.Value.Reason;
        bool? disabled = body.Value.DisabledGiven ? body.Value.Disabled : null;
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("""
            with before as (select id, disabled_at from merchant_users where id = $1 and merchant_id = $2 for update)
            update merchant_users u set disabled_at = case when $3::boolean is null then u.disabled_at when $3 then coalesce(u.disabled_at, $4) end, updated_at = $4
            from before where u.id = before.id
            returning u.id, u.merchant_id, u.email, u.disabled_at is not null, u.last_login_at, u.created_at, u.password_hash is null, before.disabled_at is not null
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = user });
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = (object?)disabled ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        cmd.Parameters.Add(new() { Value = clock.GetUtcNow() });
        MerchantUserView after;
        bool wasDisabled;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Refusal.NotFound("merchant_user");
            }

            after = Read(reader);
            wasDisabled = reader.GetBoolean(7);
        }

        await using var write = new NpgsqlBatch(conn, tx);
        write.BatchCommands.Add(audit.Command(actor, new AuditEntry("merchant_user.updated", "merchant_user", user, after with { Disabled = wasDisabled }, after, reason)));
        await write.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }
}

public sealed record InviteMerchantUserBody : ReasonBody, IRequestBody<InviteMerchantUserBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 3)]
    public required string Email { get; init; }

    public static new InviteMerchantUserBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var email = f.String("email", required: true, maxLength: 200);
        if (email is not null && (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            f.Add("email", "parameter_invalid", "email must be an email address.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new InviteMerchantUserBody { Reason = reason, Email = email! };
    }
}

public sealed record UpdateMerchantUserBody : ReasonBody, IRequestBody<UpdateMerchantUserBody>
{
    public required bool Disabled { get; init; }

    /// <summary>Whether the body set <c>disabled</c>; without it the user stays as they are.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool DisabledGiven { get; init; }

    public static new UpdateMerchantUserBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var disabled = f.Boolean("disabled");
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new UpdateMerchantUserBody { Reason = reason, Disabled = disabled ?? false, DisabledGiven = disabled is not null };
    }
}

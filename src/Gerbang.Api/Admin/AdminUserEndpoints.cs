using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Admins managing admins (super_admin only). The last active super_admin can be neither demoted nor disabled.</summary>
public static class AdminUserEndpoints
{
    private const string Columns = "id, email, role, disabled_at is not null, last_login_at, created_at";

    public static void MapAdminUsers(this RouteGroupBuilder admin)
    {
        var admins = admin.MapGroup("/admins").WithTags("admin users");
        admins.MapPost("", CreateAsync).RequireAuthorization(AdminRoles.ManageAdmins)
            .Doc("createAdmin", "Add an admin").Body(new CreateAdminBody { Email = "finance@gerbang.example", Password = "a passphrase of length", Role = "finance", Reason = "New finance lead" })
            .Returns<AdminAuthEndpoints.AdminView>(201).Fails(400, "role_invalid", "reason_required", "parameter_invalid_length").Fails(409, "admin_exists");
        admins.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ManageAdmins).Doc("listAdmins", "List admins").Returns<ListQuery.ListView<AdminAuthEndpoints.AdminView>>();
        admins.MapPatch("/{id}", UpdateAsync).RequireAuthorization(AdminRoles.ManageAdmins)
            .Doc("updateAdmin", "Change an admin's role or disable it").Body(new UpdateAdminBody { Role = "ops", Reason = "Moved to operations" })
            .Returns<AdminAuthEndpoints.AdminView>().NotFound().Fails(400, "role_invalid", "reason_required").Fails(409, "last_super_admin");
    }

    private static AdminAuthEndpoints.AdminView Read(NpgsqlDataReader r) => new(
        r.GetString(0), "admin", r.GetString(1), r.GetString(2), r.GetBoolean(3),
        r.IsDBNull(4) ? null : ApiJson.Time(r.GetFieldValue<DateTimeOffset>(4)), ApiJson.Time(r.GetFieldValue<DateTimeOffset>(5)));

    public static async Task<AdminAuthEndpoints.AdminView?> FindAsync(NpgsqlDataSource db, string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from admins where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    internal static async Task<Result<AdminAuthEndpoints.AdminView>> CreateAsync(
        Body<CreateAdminBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (email, password, role, reason) = (body.Value.Email, body.Value.Password, body.Value.Role, body.Value.Reason);
        var now = clock.GetUtcNow();
        var id = Ids.New(Ids.Admin);
        var view = new AdminAuthEndpoints.AdminView(id, "admin", email, role, false, null, ApiJson.Time(now));
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("insert into admins (id, email, password_hash, role, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)");
        insert.Parameters.Add(new() { Value = id });
        insert.Parameters.Add(new() { Value = email });
        insert.Parameters.Add(new() { Value = PasswordHasher.Hash(password, configuration) });
        insert.Parameters.Add(new() { Value = role });
        insert.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("admin.created", "admin", id, null, view, reason)));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new Refusal(409, "admin_exists", "An admin with this email exists.", "email");
        }

        return Result<AdminAuthEndpoints.AdminView>.Created(view);
    }

    internal static async Task<Result<ListQuery.ListView<AdminAuthEndpoints.AdminView>>> ListAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from admins order by seq desc limit 100");
        var rows = new List<AdminAuthEndpoints.AdminView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return ListQuery.View(rows, false, "/admin/v1/admins");
    }

    internal static async Task<Result<AdminAuthEndpoints.AdminView>> UpdateAsync(
        string id, Body<UpdateAdminBody> body, AdminActor actor, NpgsqlDataSource db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (role, disabled, reason) = (body.Value.Role, body.Value.Disabled, body.Value.Reason);
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);

        // Lock every active super_admin row so that two concurrent demotions cannot both see "another one is left".
        var activeSupers = new List<string>();
        await using (var lockSupers = new NpgsqlCommand("select id from admins where role = 'super_admin' and disabled_at is null order by id for update", conn, tx))
        await using (var reader = await lockSupers.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                activeSupers.Add(reader.GetString(0));
            }
        }

        AdminAuthEndpoints.AdminView? before;
        await using (var select = new NpgsqlCommand($"select {Columns} from admins where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            before = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }

        if (before is null)
        {
            return Refusal.NotFound("admin");
        }

        var after = before with { Role = role ?? before.Role, Disabled = disabled ?? before.Disabled };
        var leavesSuper = activeSupers.Contains(id) && (after.Role != AdminRoles.SuperAdmin || after.Disabled);
        if (leavesSuper && activeSupers.Count == 1)
        {
            return new Refusal(409, "last_super_admin", "This is the last active super_admin; make another one first.");
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        var update = new NpgsqlBatchCommand("""
            update admins set role = $2, disabled_at = case when $3 then coalesce(disabled_at, $4) else null end, updated_at = $4 where id = $1
            """);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = after.Role });
        update.Parameters.Add(new() { Value = after.Disabled });
        update.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(update);
        if (after.Disabled || after.Role != before.Role)
        {
            var revoke = new NpgsqlBatchCommand("update refresh_tokens set revoked_at = $2 where admin_id = $1 and revoked_at is null");
            revoke.Parameters.Add(new() { Value = id });
            revoke.Parameters.Add(new() { Value = clock.GetUtcNow() });
            batch.BatchCommands.Add(revoke);
        }

        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("admin.updated", "admin", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }
}

public sealed record CreateAdminBody : ReasonBody, IRequestBody<CreateAdminBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 3)]
    public required string Email { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 12)]
    public required string Password { get; init; }

    [ApiValues(typeof(AdminRoles), nameof(AdminRoles.All))]
    public required string Role { get; init; }

    public static new CreateAdminBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var email = f.String("email", required: true, maxLength: 200);
        var password = f.String("password", required: true, minLength: PasswordHasher.MinLength, maxLength: 200);
        var role = f.String("role", required: true, maxLength: 20);
        if (role is not null && !AdminRoles.All.Contains(role))
        {
            f.Add("role", "role_invalid", $"role must be one of {string.Join(", ", AdminRoles.All)}.");
        }

        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            f.Add("email", "parameter_invalid", "email must be an email address.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateAdminBody { Reason = reason, Email = email!, Password = password!, Role = role! };
    }
}

public sealed record UpdateAdminBody : ReasonBody, IRequestBody<UpdateAdminBody>
{
    [ApiValues(typeof(AdminRoles), nameof(AdminRoles.All))]
    public string? Role { get; init; }

    public bool? Disabled { get; init; }

    public static new UpdateAdminBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var role = f.String("role", required: false, maxLength: 20);
        var disabled = f.Boolean("disabled");
        if (role is not null && !AdminRoles.All.Contains(role))
        {
            f.Add("role", "role_invalid", $"role must be one of {string.Join(", ", AdminRoles.All)}.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new UpdateAdminBody { Reason = reason, Role = role, Disabled = disabled };
    }
}

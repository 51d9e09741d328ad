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

    private static async Task<ApiResponse> CreateAsync(HttpContext http, NpgsqlDataSource db, AuditLog audit, IConfiguration configuration, TimeProvider clock)
    {
        var (f, reason, problem) = await ChangeRequest.ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var email = f!.String("email", required: true, maxLength: 200);
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

        if (ChangeRequest.Check(f) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var id = Ids.New(Ids.Admin);
        var view = new AdminAuthEndpoints.AdminView(id, "admin", email!, role!, false, null, ApiJson.Time(now));
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("insert into admins (id, email, password_hash, role, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)");
        insert.Parameters.Add(new() { Value = id });
        insert.Parameters.Add(new() { Value = email! });
        insert.Parameters.Add(new() { Value = PasswordHasher.Hash(password!, configuration) });
        insert.Parameters.Add(new() { Value = role! });
        insert.Parameters.Add(new() { Value = now });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("admin.created", "admin", id, null, view, reason)));
        try
        {
            await batch.ExecuteNonQueryAsync(http.RequestAborted);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Create(409, "admin_exists", "An admin with this email exists.", "email");
        }

        return ApiResponse.Ok(view, 201);
    }

    private static async Task<ApiResponse> ListAsync(HttpContext http, NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from admins order by seq desc limit 100");
        var rows = new List<AdminAuthEndpoints.AdminView>();
        await using var reader = await cmd.ExecuteReaderAsync(http.RequestAborted);
        while (await reader.ReadAsync(http.RequestAborted))
        {
            rows.Add(Read(reader));
        }

        return ListQuery.Answer(rows, false, "/admin/v1/admins");
    }

    private static async Task<ApiResponse> UpdateAsync(string id, HttpContext http, NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
    {
        var (f, reason, problem) = await ChangeRequest.ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var role = f!.String("role", required: false, maxLength: 20);
        var disabled = f.Boolean("disabled");
        if (role is not null && !AdminRoles.All.Contains(role))
        {
            f.Add("role", "role_invalid", $"role must be one of {string.Join(", ", AdminRoles.All)}.");
        }

        if (ChangeRequest.Check(f) is { } invalid)
        {
            return invalid;
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);

        // Lock every active super_admin row so that two concurrent demotions cannot both see "another one is left".
        var activeSupers = new List<string>();
        await using (var lockSupers = new NpgsqlCommand("select id from admins where role = 'super_admin' and disabled_at is null order by id for update", conn, tx))
        await using (var reader = await lockSupers.ExecuteReaderAsync(http.RequestAborted))
        {
            while (await reader.ReadAsync(http.RequestAborted))
            {
                activeSupers.Add(reader.GetString(0));
            }
        }

        AdminAuthEndpoints.AdminView? before;
        await using (var select = new NpgsqlCommand($"select {Columns} from admins where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(http.RequestAborted);
            before = await reader.ReadAsync(http.RequestAborted) ? Read(reader) : null;
        }

        if (before is null)
        {
            return Problems.NotFound("admin");
        }

        var after = before with { Role = role ?? before.Role, Disabled = disabled ?? before.Disabled };
        var leavesSuper = activeSupers.Contains(id) && (after.Role != AdminRoles.SuperAdmin || after.Disabled);
        if (leavesSuper && activeSupers.Count == 1)
        {
            return Problems.Create(409, "last_super_admin", "This is the last active super_admin; make another one first.");
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

        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("admin.updated", "admin", id, before, after, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        await tx.CommitAsync(http.RequestAborted);
        return ApiResponse.Ok(after);
    }
}

public sealed record CreateAdminBody : ReasonBody
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 3)]
    public required string Email { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 12)]
    public required string Password { get; init; }

    [ApiValues(typeof(AdminRoles), nameof(AdminRoles.All))]
    public required string Role { get; init; }
}

public sealed record UpdateAdminBody : ReasonBody
{
    [ApiValues(typeof(AdminRoles), nameof(AdminRoles.All))]
    public string? Role { get; init; }

    public bool? Disabled { get; init; }
}

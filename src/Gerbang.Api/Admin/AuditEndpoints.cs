using System.Text.Json;
using Gerbang.Api.Http;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary><c>GET /admin/v1/audit_log</c>. Reading the log is itself written to it.</summary>
public static class AuditEndpoints
{
    public sealed record AuditView(
        string Id, string Object, string At, string? ActorId, string? ActorEmail, string? ActorRole, string? SourceIp, string Action,
        string? TargetType, string? TargetId, JsonElement? Before, JsonElement? After, string? Reason, string Outcome);

    public static void MapAuditLog(this RouteGroupBuilder admin) =>
        admin.MapGet("/audit_log", ListAsync).RequireAuthorization(AdminRoles.ManageAdmins).WithTags("admin users")
            .Doc("listAuditLog", "Read the audit log", "Every admin change, newest first, with who made it, why, and the values before and after.")
            .Returns<ListQuery.ListView<AuditView>>()
            .Query("limit", "1 to 100 (50 when left out).").Query("action", "Only this action, such as merchant.approve.").Query("target_id", "Only changes to this object.");

    internal static async Task<Result<ListQuery.ListView<AuditView>>> ListAsync(ListRequest request, AdminActor actor, NpgsqlDataSource db, AuditLog audit, CancellationToken cancellationToken)
    {
        var limit = int.TryParse(request["limit"], out var l) && l is >= 1 and <= 100 ? l : 50;
        var action = request["action"] ?? "";
        var target = request["target_id"] ?? "";
        await audit.WriteAsync(actor, new AuditEntry("audit_log.read", "audit_log", null, null, new { action, target_id = target, limit }, null), cancellationToken: cancellationToken);
        await using var cmd = db.CreateCommand("""
            select id, at, actor_id, actor_email, actor_role, source_ip, action, target_type, target_id, before::text, after::text, reason, outcome
            from audit_log where ($1 = '' or action = $1) and ($2 = '' or target_id = $2)
            order by seq desc limit $3
            """);
        cmd.Parameters.Add(new() { Value = action });
        cmd.Parameters.Add(new() { Value = target });
        cmd.Parameters.Add(new() { Value = limit });
        var rows = new List<AuditView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AuditView(
                reader.GetString(0), "audit_entry", ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(1)), Str(reader, 2), Str(reader, 3), Str(reader, 4), Str(reader, 5),
                reader.GetString(6), Str(reader, 7), Str(reader, 8), Json(reader, 9), Json(reader, 10), Str(reader, 11), reader.GetString(12)));
        }

        return ListQuery.View(rows, rows.Count == limit, "/admin/v1/audit_log");
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static JsonElement? Json(NpgsqlDataReader r, int i)
    {
        if (r.IsDBNull(i))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(r.GetString(i));
        return doc.RootElement.Clone();
    }
}

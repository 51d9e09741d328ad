using System.Security.Claims;
using System.Text.Json;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Who is acting on the admin API, taken from the verified token.</summary>
public sealed record AdminActor(string Id, string Email, string Role, string? SourceIp)
{
    public static AdminActor Of(HttpContext http) => new(
        http.User.FindFirstValue("sub") ?? "",
        http.User.FindFirstValue("email") ?? "",
        http.User.FindFirstValue("role") ?? "",
        http.Connection.RemoteIpAddress?.ToString());

    /// <summary>As a handler's parameter: the signed-in admin the route's policy let in.</summary>
    public static ValueTask<AdminActor?> BindAsync(HttpContext http, System.Reflection.ParameterInfo parameter) => ValueTask.FromResult<AdminActor?>(Of(http));
}

public sealed record AuditEntry(
    string Action,
    string? TargetType,
    string? TargetId,
    object? Before,
    object? After,
    string? Reason,
    string Outcome = "success");

/// <summary>Appends to the audit log, inside the caller's transaction when it has one.</summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    public NpgsqlBatchCommand Command(AdminActor? actor, AuditEntry entry, string? sourceIp = null)
    {
        var cmd = new NpgsqlBatchCommand("""
            insert into audit_log (id, at, actor_id, actor_email, actor_role, source_ip, action, target_type, target_id, before, after, reason, outcome)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13)
            """);
        object?[] values =
        [
            Ids.New("aud"), timeProvider.GetUtcNow(), actor?.Id, actor?.Email, actor?.Role, actor?.SourceIp ?? sourceIp, entry.Action,
            entry.TargetType, entry.TargetId, Json(entry.Before), Json(entry.After), entry.Reason, entry.Outcome,
        ];
        foreach (var v in values)
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        return cmd;
    }

    public async Task WriteAsync(AdminActor? actor, AuditEntry entry, string? sourceIp = null, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(actor, entry, sourceIp));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string? Json(object? value) => value is null ? null : JsonSerializer.Serialize(value, Http.ApiJson.Options);
}

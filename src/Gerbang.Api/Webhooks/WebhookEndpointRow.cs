using Gerbang.Api.Http;
using Npgsql;

namespace Gerbang.Api.Webhooks;

public sealed record WebhookEndpointRow(string Id, string Mode, string Url, string? Description, string[] EnabledEvents, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? DisabledReason = null)
{
    public const string Columns = "id, mode, url, description, enabled_events, status, created_at, updated_at, disabled_reason";

    public static WebhookEndpointRow Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5),
        r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetString(8));

    public WebhookEndpointView View(string? secret = null) =>
        new(Id, "webhook_endpoint", Mode == "live", Url, Description, EnabledEvents, Status, DisabledReason, secret, ApiJson.Time(CreatedAt), ApiJson.Time(UpdatedAt));
}

public sealed record WebhookEndpointView(
    string Id, string Object, bool Livemode, string Url, string? Description, string[] EnabledEvents, string Status, string? DisabledReason,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    string CreatedAt, string UpdatedAt);

using System.Text;
using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Gerbang.Domain.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Webhooks;

/// <summary><c>/v1/webhook_endpoints</c>: where a merchant wants its events, and which ones.</summary>
public static class WebhookEndpointEndpoints
{
    public static void MapWebhookEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/webhook_endpoints").WithTags("webhook endpoints");
        var example = new WebhookEndpointBody { Url = "https://shop.example/hooks/gerbang", EnabledEvents = ["payment.paid", "refund.succeeded"], Description = "Order system" };
        group.MapPost("", CreateAsync).Doc("createWebhookEndpoint", "Add a webhook endpoint", "Events of the chosen types go to the URL, signed as Standard Webhooks. The signing secret (whsec_) is shown once.")
            .Body(example).Returns<WebhookEndpointView>(201)
            .Fails(400, "url_invalid", "url_not_https", "url_forbidden", "event_type_invalid", "parameter_invalid_length");
        group.MapGet("", ListAsync).Doc("listWebhookEndpoints", "List webhook endpoints").Lists<WebhookEndpointView>();
        group.MapGet("/{id}", GetAsync).Doc("getWebhookEndpoint", "Get a webhook endpoint").Returns<WebhookEndpointView>().NotFound();
        group.MapPatch("/{id}", UpdateAsync).Doc("updateWebhookEndpoint", "Update a webhook endpoint", "Only the fields given change; disabled: false turns a disabled endpoint back on.")
            .Body(new WebhookEndpointUpdateBody { EnabledEvents = ["*"], Disabled = false }).Returns<WebhookEndpointView>().NotFound()
            .Fails(400, "url_invalid", "url_not_https", "url_forbidden", "event_type_invalid", "parameter_invalid_length");
        group.MapDelete("/{id}", DeleteAsync).Doc("deleteWebhookEndpoint", "Delete a webhook endpoint").Returns<DeletedView>().NotFound();
        group.MapPost("/{id}/rotate_secret", RotateSecretAsync).Doc("rotateWebhookSecret", "Rotate a webhook endpoint's secret", "A new secret, shown once; deliveries carry signatures of both until the old one expires.")
            .Body(new RotateSecretBody { ExpiresIn = 86400 }, optional: true).Returns<WebhookEndpointView>().NotFound().Fails(400, "parameter_out_of_range", "parameter_invalid_integer");
        group.MapPost("/{id}/test", SendTestAsync).Doc("testWebhookEndpoint", "Send a test event", "A webhook_endpoint.test event to this endpoint only.")
            .Returns<EventWriter.EventView>(202).NotFound();
        group.MapGet("/{id}/deliveries", DeliveriesAsync).Doc("listWebhookEndpointDeliveries", "List an endpoint's deliveries", "The latest delivery attempts to this endpoint.")
            .Returns<ListQuery.ListView<EventEndpoints.DeliveryAttemptView>>().NotFound();
    }

    public const long MaxOverlapSeconds = 7 * 24 * 3600;

    /// <summary>The endpoint's delivery log: its latest attempts, newest first.</summary>
    internal static async Task<Result<ListQuery.ListView<EventEndpoints.DeliveryAttemptView>>> DeliveriesAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, merchant, id, cancellationToken) is null)
        {
            return Refusal.NotFound("webhook endpoint");
        }

        var attempts = await EventEndpoints.DeliveryAttemptsAsync(db, merchant, "a.endpoint_id", [id], cancellationToken);
        return ListQuery.View(attempts, false, $"/v1/webhook_endpoints/{id}/deliveries");
    }

    /// <summary>
    /// A new secret, shown once. Until the overlap ends, deliveries carry a signature under each
    /// secret (space-separated), so the merchant can switch its verifier without missing an event.
    /// </summary>
    internal static async Task<Result<WebhookEndpointView>> RotateSecretAsync(
        string id, Body<RotateSecretBody> body, MerchantContext merchant, AnswerKeeping keeping, NpgsqlDataSource db, SecretBox box, TimeProvider clock, CancellationToken cancellationToken)
    {
        var row = await FindAsync(db, merchant, id, cancellationToken);
        if (row is null)
        {
            return Refusal.NotFound("webhook endpoint");
        }

        var overlap = body.Value.ExpiresIn ?? 24 * 3600;
        var secret = StandardWebhooks.NewSecret();
        var now = clock.GetUtcNow();
        await using var batch = db.CreateBatch();
        var cmd = new NpgsqlBatchCommand("""
            update webhook_endpoints set previous_secret_sealed = case when $5 > 0 then secret_sealed end,
                previous_secret_expires_at = case when $5 > 0 then $4 + make_interval(secs => $5) end,
                secret_sealed = $6, updated_at = $4
            where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null
            """);
        foreach (var v in new object[] { id, merchant.MerchantId, merchant.ModeWire, now, (double)overlap, box.Seal(secret) })
        {
            cmd.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(cmd);
        var answer = keeping.Keep<WebhookEndpointView>(batch, (row with { UpdatedAt = now }).View(secret));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return answer;
    }

    /// <summary>Sends a <c>webhook_endpoint.test</c> event to this endpoint only, through the normal delivery path.</summary>
    internal static async Task<Result<StoredEvent>> SendTestAsync(string id, MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var row = await FindAsync(db, merchant, id, cancellationToken);
        if (row is null)
        {
            return Refusal.NotFound("webhook endpoint");
        }

        var now = clock.GetUtcNow();
        var eventId = Ids.New(Ids.Event);
        var body = EventWriter.Body(eventId, "webhook_endpoint.test", merchant.Mode, now, row.View());
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand("insert into events (id, merchant_id, mode, type, object_id, body, created_at) values ($1, $2, $3, 'webhook_endpoint.test', $4, $5, $6)");
        foreach (var v in new object[] { eventId, merchant.MerchantId, merchant.ModeWire, id, body, now })
        {
            insert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(insert);
        var delivery = new NpgsqlBatchCommand("""
            insert into webhook_deliveries (id, event_id, endpoint_id, merchant_id, status, attempts, next_attempt_at, created_at, updated_at)
            values ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)
            """);
        foreach (var v in new object[] { Ids.New(Ids.Delivery), eventId, id, merchant.MerchantId, now })
        {
            delivery.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(delivery);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{EventWriter.Channel}', '')"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return Result<StoredEvent>.Accepted(new StoredEvent(body));
    }

    /// <summary>Where the endpoint may not go: a forbidden address (loopback allowed in test mode when configured), or plain http in live mode.</summary>
    private static async Task<Refusal?> RefusedUrlAsync(string url, MerchantContext merchant, IHostResolver resolver, WebhookDispatcherOptions options, CancellationToken cancellationToken)
    {
        if (merchant.Livemode && url.StartsWith("http://", StringComparison.Ordinal))
        {
            return Refusal.Invalid([new FieldError("url", "url_not_https", "Live-mode webhook endpoints must use https.")]);
        }

        return await SsrfGuard.CheckAsync(new Uri(url), resolver, !merchant.Livemode && options.AllowLoopbackInTestMode, cancellationToken) is { } why
            ? new Refusal(400, "url_forbidden", $"Webhooks cannot go there: {why}.", "url")
            : null;
    }

    internal static async Task<Result<WebhookEndpointView>> CreateAsync(
        Body<WebhookEndpointBody> body,
        MerchantContext merchant,
        AnswerKeeping keeping,
        NpgsqlDataSource db,
        SecretBox box,
        IHostResolver resolver,
        IOptions<WebhookDispatcherOptions> options,
        SubscriberDirectory subscribers,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var request = body.Value;
        if (await RefusedUrlAsync(request.Url, merchant, resolver, options.Value, cancellationToken) is { } refused)
        {
            return refused;
        }

        var secret = StandardWebhooks.NewSecret();
        var now = clock.GetUtcNow();
        var row = new WebhookEndpointRow(Ids.New(Ids.WebhookEndpoint), merchant.ModeWire, request.Url, request.Description, [.. request.EnabledEvents], "enabled", now, now);
        await using var batch = db.CreateBatch();
        var cmd = new NpgsqlBatchCommand("""
            insert into webhook_endpoints (id, merchant_id, mode, url, description, enabled_events, status, secret_sealed, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, 'enabled', $7, $8, $8)
            """);
        foreach (var v in new object?[] { row.Id, merchant.MerchantId, row.Mode, row.Url, row.Description, row.EnabledEvents, box.Seal(secret), now })
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(cmd);
        await WebhookCatchUpJob.EnqueueAsync(db, batch, merchant.MerchantId, row.Mode, row.Id, now, cancellationToken);
        var answer = keeping.Keep(batch, Result<WebhookEndpointView>.Created(row.View(secret)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        subscribers.Forget();
        return answer;
    }

    internal static Task<Result<ListQuery.ListView<WebhookEndpointView>>> ListAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.ForMerchantAsync(
            request, merchant, db, $"select {WebhookEndpointRow.Columns} from webhook_endpoints where merchant_id = $1 and mode = $2 and deleted_at is null", "webhook_endpoints",
            [], WebhookEndpointRow.Read, r => r.View(), "/v1/webhook_endpoints", cancellationToken);

    internal static async Task<Result<WebhookEndpointView>> GetAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var row = await FindAsync(db, merchant, id, cancellationToken);
        return row is null ? Refusal.NotFound("webhook endpoint") : row.View();
    }

    internal static async Task<Result<WebhookEndpointView>> UpdateAsync(
        string id,
        Body<WebhookEndpointUpdateBody> body,
        MerchantContext merchant,
        NpgsqlDataSource db,
        IHostResolver resolver,
        IOptions<WebhookDispatcherOptions> options,
        SubscriberDirectory subscribers,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var row = await FindAsync(db, merchant, id, cancellationToken);
        if (row is null)
        {
            return Refusal.NotFound("webhook endpoint");
        }

        var request = body.Value;
        if (request.Url is not null && await RefusedUrlAsync(request.Url, merchant, resolver, options.Value, cancellationToken) is { } refused)
        {
            return refused;
        }

        var updated = row with
        {
            Url = request.Url ?? row.Url,
            EnabledEvents = request.EnabledEvents is { } events ? [.. events] : row.EnabledEvents,
            Description = request.DescriptionGiven ? request.Description : row.Description,
            Status = request.Disabled is { } d ? (d ? "disabled" : "enabled") : row.Status,
            DisabledReason = request.Disabled == false ? null : row.DisabledReason,
            UpdatedAt = clock.GetUtcNow(),
        };
        await using var batch = db.CreateBatch();
        var cmd = new NpgsqlBatchCommand("""
            update webhook_endpoints set url = $4, enabled_events = $5, description = $6, status = $7, updated_at = $8,
                disabled_reason = case when $7 = 'enabled' then null else disabled_reason end,
                failing_since = case when $7 = 'enabled' then null else failing_since end
            where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null
            """);
        foreach (var v in new object?[] { id, merchant.MerchantId, merchant.ModeWire, updated.Url, updated.EnabledEvents, updated.Description, updated.Status, updated.UpdatedAt })
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(cmd);
        var subscribes = updated.Status == "enabled";
        if (subscribes)
        {
            // Enabled, or its events may have grown: it is owed what happens from now on.
            await WebhookCatchUpJob.EnqueueAsync(db, batch, merchant.MerchantId, merchant.ModeWire, id, updated.UpdatedAt, cancellationToken);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (subscribes)
        {
            subscribers.Forget();
        }

        return updated.View();
    }

    internal static async Task<Result<DeletedView>> DeleteAsync(string id, MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            update webhook_endpoints set deleted_at = $4, status = 'disabled', updated_at = $4
            where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null
            """);
        foreach (var v in new object[] { id, merchant.MerchantId, merchant.ModeWire, clock.GetUtcNow() })
        {
            cmd.Parameters.Add(new() { Value = v });
        }

        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1
            ? new DeletedView(id, "webhook_endpoint", true)
            : Refusal.NotFound("webhook endpoint");
    }

    internal static async Task<WebhookEndpointRow?> FindAsync(NpgsqlDataSource db, MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {WebhookEndpointRow.Columns} from webhook_endpoints where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? WebhookEndpointRow.Read(reader) : null;
    }

    internal static string? ValidUrl(Fields f, bool required)
    {
        var url = f.String("url", required, maxLength: 2048);
        if (url is null)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            f.Add("url", "url_invalid", "url must be an absolute http(s) URL without credentials.");
            return null;
        }

        return uri.ToString();
    }

    internal static string[]? ValidEvents(Fields f, bool required)
    {
        var element = f.Element("enabled_events", JsonValueKind.Array);
        if (element is null)
        {
            if (required)
            {
                f.Add("enabled_events", "parameter_missing", "enabled_events is required, e.g. [\"payment.paid\"] or [\"*\"].");
            }

            return null;
        }

        var events = new List<string>();
        foreach (var e in element.Value.EnumerateArray())
        {
            var name = e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
            if (name != "*" && !EventTypes.All.Contains(name))
            {
                f.Add("enabled_events", "event_type_invalid", $"'{name}' is not an event type.");
                return null;
            }

            events.Add(name);
        }

        if (events.Count == 0)
        {
            f.Add("enabled_events", "parameter_missing", "enabled_events needs at least one event type.");
            return null;
        }

        return events.Distinct(StringComparer.Ordinal).ToArray();
    }
}

/// <summary>The body of a webhook endpoint's creation.</summary>
public sealed record WebhookEndpointBody : IRequestBody<WebhookEndpointBody>
{
    [System.ComponentModel.Description("An absolute URL; https in live mode. Private, loopback and metadata addresses are refused.")]
    [System.ComponentModel.DataAnnotations.StringLength(2048, MinimumLength = 1)]
    public required string Url { get; init; }

    [System.ComponentModel.Description("Event types to send, or [\"*\"] for all.")]
    public required IReadOnlyList<string> EnabledEvents { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(500)]
    public string? Description { get; init; }

    public static WebhookEndpointBody? Read(Fields f)
    {
        var url = WebhookEndpointEndpoints.ValidUrl(f, required: true);
        var events = WebhookEndpointEndpoints.ValidEvents(f, required: true);
        var description = f.String("description", required: false, maxLength: 500);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new WebhookEndpointBody { Url = url!, EnabledEvents = events!, Description = description };
    }
}

/// <summary>The body of a webhook endpoint's update: only the fields given change.</summary>
public sealed record WebhookEndpointUpdateBody : IRequestBody<WebhookEndpointUpdateBody>
{
    [System.ComponentModel.Description("An absolute URL; https in live mode. Private, loopback and metadata addresses are refused.")]
    [System.ComponentModel.DataAnnotations.StringLength(2048, MinimumLength = 1)]
    public string? Url { get; init; }

    [System.ComponentModel.Description("Event types to send, or [\"*\"] for all.")]
    public IReadOnlyList<string>? EnabledEvents { get; init; }

    [System.ComponentModel.Description("An empty string clears it; null leaves it as it is.")]
    [System.ComponentModel.DataAnnotations.StringLength(500)]
    public string? Description { get; init; }

    /// <summary>Whether the body set the description (to clear it, or to a new one).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool DescriptionGiven { get; init; }

    [System.ComponentModel.Description("true stops deliveries, false resumes them.")]
    public bool? Disabled { get; init; }

    public static WebhookEndpointUpdateBody? Read(Fields f)
    {
        var url = WebhookEndpointEndpoints.ValidUrl(f, required: false);
        var events = WebhookEndpointEndpoints.ValidEvents(f, required: false);
        var description = f.String("description", required: false, minLength: 0, maxLength: 500);
        var disabled = f.Boolean("disabled");
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new WebhookEndpointUpdateBody { Url = url, EnabledEvents = events, Description = description, DescriptionGiven = f.Has("description"), Disabled = disabled };
    }
}

/// <summary>The body of a secret rotation.</summary>
public sealed record RotateSecretBody : IRequestBody<RotateSecretBody>
{
    public static bool EmptyAllowed => true;

    [System.ComponentModel.Description("Seconds the old secret keeps signing (0 to 7 days; 24 hours when left out).")]
    [System.ComponentModel.DataAnnotations.Range(0, WebhookEndpointEndpoints.MaxOverlapSeconds)]
    public long? ExpiresIn { get; init; }

    public static RotateSecretBody? Read(Fields f)
    {
        var overlap = f.Integer("expires_in", 0, WebhookEndpointEndpoints.MaxOverlapSeconds);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new RotateSecretBody { ExpiresIn = overlap };
    }
}

using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Merchants;

/// <summary><c>/v1/merchant</c>: the merchant's own profile and key roll.</summary>
public static class MerchantSelfEndpoints
{
    public const long MaxGraceSeconds = 7 * 24 * 3600;

    /// <summary>A key as it can be shown after creation: its hint, never the key.</summary>
    public sealed record ApiKeyView(string Id, string Object, bool Livemode, string Hint, string Status, string? ExpiresAt, string? LastUsedAt, string CreatedAt);

    public sealed record RolledKeyView(string Object, bool Livemode, string SecretKey, string? PreviousKeyExpiresAt);

    public static void MapMerchantSelf(this RouteGroupBuilder v1)
    {
        var merchant = v1.MapGroup("/merchant").WithTags("merchant");
        merchant.MapGet("", GetAsync).Doc("getMerchant", "Get the merchant", "The merchant the key belongs to, as seen in the key's mode.").Returns<SelfView>();
        merchant.MapPatch("", UpdateAsync).Doc("updateMerchant", "Update the merchant", "Its name, support email and the name on customers' statements.")
            .Body(new UpdateMerchantBody { SupportEmail = "help@shop.example", StatementName = "TOKO BUDI" }).Returns<SelfView>()
            .Fails(400, "parameter_invalid_length");
        merchant.MapGet("/api_keys", KeysAsync).Doc("listApiKeys", "List the API keys", "The mode's keys, newest first: active, expiring, expired or revoked. Secrets are never shown again.")
            .Returns<ListQuery.ListView<ApiKeyView>>();
        merchant.MapPost("/api_keys/roll", RollAsync).Doc("rollApiKeys", "Roll the API keys", "A new key for the mode; every other key of the mode stops working now or after the grace period. The new secret is shown once.")
            .Body(new RollApiKeysBody { ExpiresIn = 3600 }, optional: true).Returns<RolledKeyView>().Fails(400, "parameter_out_of_range", "parameter_invalid_integer");
        merchant.MapPost("/api_keys/{id}/revoke", RevokeAsync).Doc("revokeApiKey", "Revoke an API key", "The key stops working at once.").Returns<ApiKeyView>().NotFound();
    }

    /// <summary>The mode's keys, newest first: active, expiring (rolled with grace), expired or revoked.</summary>
    internal static async Task<Result<ListQuery.ListView<ApiKeyView>>> KeysAsync(MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select id, key_hint, expires_at, revoked_at is not null, created_at, last_used_at from api_keys
            where merchant_id = $1 and mode = $2 order by created_at desc, id limit 100
            """);
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var now = clock.GetUtcNow();
        var keys = new List<ApiKeyView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateTimeOffset? expires = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            var status = reader.GetBoolean(3) ? "revoked" : expires is null ? "active" : expires > now ? "expiring" : "expired";
            var lastUsed = reader.IsDBNull(5) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(5);
            keys.Add(new ApiKeyView(reader.GetString(0), "api_key", merchant.Livemode, reader.GetString(1), status, ApiJson.Time(expires), ApiJson.Time(lastUsed), ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(4))));
        }

        return ListQuery.View(keys, false, "/v1/merchant/api_keys");
    }

    internal static async Task<Result<SelfView>> GetAsync(MerchantContext merchant, MerchantService merchants, CancellationToken cancellationToken) =>
        SelfView.Of((await merchants.FindAsync(merchant.MerchantId, cancellationToken))!, merchant.Livemode);

    /// <summary>The merchant as its own key sees it: <c>livemode</c> is the key's mode.</summary>
    public sealed record SelfView(string Id, string Object, bool Livemode, string Name, string Status, string? SupportEmail, string? StatementName, string? ApprovedAt, string CreatedAt)
    {
        public static SelfView Of(MerchantView m, bool livemode) =>
            new(m.Id, m.Object, livemode, m.Name, m.Status, m.SupportEmail, m.StatementName, m.ApprovedAt, m.CreatedAt);
    }

    internal static async Task<Result<SelfView>> UpdateAsync(
        Body<UpdateMerchantBody> body, MerchantContext merchant, NpgsqlDataSource db, MerchantService merchants, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (name, email, statement) = (body.Value.Name, body.Value.SupportEmail, body.Value.StatementName);
        var id = merchant.MerchantId;
        await using var cmd = db.CreateCommand("""
            update merchants set name = coalesce($2, name), support_email = coalesce($3, support_email),
                statement_name = coalesce($4, statement_name), updated_at = $5
            where id = $1
            """);
        foreach (var v in new object?[] { id, name, email, statement, clock.GetUtcNow() })
        {
            cmd.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return SelfView.Of((await merchants.FindAsync(id, cancellationToken))!, merchant.Livemode);
    }

    /// <summary>
    /// A new key for the calling key's mode, shown once. Every other key of the mode is retired with it:
    /// at once, or after <c>expires_in</c>; a key already set to expire keeps its earlier end. So a
    /// leaked key that rolls itself gains nothing that outlives the merchant's next roll.
    /// </summary>
    internal static async Task<Result<RolledKeyView>> RollAsync(
        Body<RollApiKeysBody> body, MerchantContext merchant, AnswerKeeping keeping, NpgsqlDataSource db, MerchantAuthenticator auth, TimeProvider clock, CancellationToken cancellationToken)
    {
        var grace = body.Value.ExpiresIn ?? 0;
        var now = clock.GetUtcNow();
        var key = ApiKeys.New(merchant.Mode);
        DateTimeOffset? oldExpires = grace > 0 ? now.AddSeconds(grace) : null;
        await using var batch = db.CreateBatch();
        var retire = new NpgsqlBatchCommand(grace > 0
            ? "update api_keys set expires_at = least(coalesce(expires_at, $3), $3) where merchant_id = $1 and mode = $2 and revoked_at is null"
            : "update api_keys set revoked_at = $3 where merchant_id = $1 and mode = $2 and revoked_at is null");
        retire.Parameters.Add(new() { Value = merchant.MerchantId });
        retire.Parameters.Add(new() { Value = merchant.ModeWire });
        retire.Parameters.Add(new() { Value = oldExpires ?? now });
        batch.BatchCommands.Add(retire);
        batch.BatchCommands.Add(MerchantService.InsertKey(merchant.MerchantId, merchant.Mode, key, now));
        var answer = keeping.Keep<RolledKeyView>(batch, new RolledKeyView("api_key", merchant.Livemode, key, ApiJson.Time(oldExpires)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        auth.Forget();
        return answer;
    }

    /// <summary>Revokes one key of the calling key's mode at once (the calling key included); 404 for another merchant's or mode's.</summary>
    internal static async Task<Result<ApiKeyView>> RevokeAsync(
        string id, Body<EmptyBody> body, MerchantContext merchant, NpgsqlDataSource db, MerchantAuthenticator auth, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var cmd = db.CreateCommand("""
            update api_keys set revoked_at = coalesce(revoked_at, $4) where id = $1 and merchant_id = $2 and mode = $3
            returning id, key_hint, expires_at, created_at, last_used_at
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = now });
        ApiKeyView? view = null;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                view = new ApiKeyView(
                    reader.GetString(0), "api_key", merchant.Livemode, reader.GetString(1), "revoked",
                    reader.IsDBNull(2) ? null : ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(2)),
                    reader.IsDBNull(4) ? null : ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(4)),
                    ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }

        if (view is null)
        {
            return Refusal.NotFound("api_key");
        }

        auth.Forget();
        return view;
    }
}

/// <summary>The body of <c>PATCH /v1/merchant</c>: only the fields given change.</summary>
public sealed record UpdateMerchantBody : IRequestBody<UpdateMerchantBody>
{
    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public string? Name { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200, MinimumLength = 1)]
    public string? SupportEmail { get; init; }

    [System.ComponentModel.Description("What customers see on their statements.")]
    [System.ComponentModel.DataAnnotations.StringLength(22, MinimumLength = 5)]
    public string? StatementName { get; init; }

    public static UpdateMerchantBody? Read(Fields f)
    {
        var name = f.String("name", required: false, maxLength: 200);
        var email = f.String("support_email", required: false, maxLength: 200);
        var statement = f.String("statement_name", required: false, minLength: 5, maxLength: 22);
        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            f.Add("support_email", "parameter_invalid", "support_email must be an email address.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new UpdateMerchantBody { Name = name, SupportEmail = email, StatementName = statement };
    }
}

/// <summary>The body of a key roll.</summary>
public sealed record RollApiKeysBody : IRequestBody<RollApiKeysBody>
{
    public static bool EmptyAllowed => true;

    [System.ComponentModel.Description("Seconds the old keys keep working (0, the default, to 7 days).")]
    [System.ComponentModel.DataAnnotations.Range(0, MerchantSelfEndpoints.MaxGraceSeconds)]
    public long? ExpiresIn { get; init; }

    public static RollApiKeysBody? Read(Fields f)
    {
        var grace = f.Integer("expires_in", 0, MerchantSelfEndpoints.MaxGraceSeconds);
        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new RollApiKeysBody { ExpiresIn = grace };
    }
}

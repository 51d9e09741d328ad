using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Gerbang.Api.Http;

/// <summary>
/// The contract's idempotency: a key is claimed by inserting its row into the unlogged claims table (one
/// winner under any concurrency), the outcome is recorded as a completed key in the same transaction as
/// the resource it created, and the first response is replayed byte for byte. A request refused before
/// it started releases the claim.
/// </summary>
/// <remarks>
/// A claim is only a lock held while the work runs: it writes no WAL and its commit does not wait for
/// the disk. After a crash PostgreSQL empties the claims table, which frees the keys of the requests
/// that died; their work never committed, so a retry starts afresh. Claims stay behind after their key
/// is completed (the completed key is what answers from then on) and are purged once stale.
/// </remarks>
public sealed class Idempotency(NpgsqlDataSource dataSource, SecretBox box, TimeProvider timeProvider)
{
    public const string Header = "Idempotency-Key";
    private const string ItemKey = "gerbang.idempotency";

    /// <summary>A claim left by a request that died mid-way may be taken over after this long.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>Keys are kept at least this long.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public sealed class Claim(MerchantContext merchant, string key, byte[] requestHash, string method, string path, DateTimeOffset lockedAt)
    {
        public MerchantContext Merchant { get; } = merchant;

        public string Key { get; } = key;

        public byte[] RequestHash { get; } = requestHash;

        public string Method { get; } = method;

        public string Path { get; } = path;

        public DateTimeOffset LockedAt { get; } = lockedAt;

        public bool Recorded { get; set; }
    }

    public static bool IsValidKey(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= ' ' and <= '~');

    public static byte[] RequestHash(string method, string path, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(method + "\n" + path + "\n"));
        hash.AppendData(body);
        return hash.GetHashAndReset();
    }

    /// <summary>Claims the key, or answers with the replay or the conflict.</summary>
    public async Task<ApiResponse?> BeginAsync(HttpContext context, MerchantContext merchant, string key, byte[] body)
    {
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? "";
        var hash = RequestHash(method, path, body);
        var ct = context.RequestAborted;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            // One statement: a completed key answers; otherwise the claim is inserted unless another
            // request holds it.
            await using (var claim = dataSource.CreateCommand("""
                with done as (
                    select request_hash, path, response_status, response_body from idempotency_keys
                    where merchant_id = $1 and mode = $2 and key = $3),
                claimed as (
                    insert into idempotency_claims (merchant_id, mode, key, request_hash, path, locked_at)
                    select $1, $2, $3, $4, $5, $6 where not exists (select from done)
                    on conflict do nothing
                    returning 1)
                select exists (select from claimed), d.request_hash, d.path, d.response_status, d.response_body
                from (values (1)) v left join done d on true
                """))
            {
                claim.Parameters.Add(new() { Value = merchant.MerchantId });
                claim.Parameters.Add(new() { Value = merchant.ModeWire });
                claim.Parameters.Add(new() { Value = key });
                claim.Parameters.Add(new() { Value = hash });
                claim.Parameters.Add(new() { Value = path });
                claim.Parameters.Add(new() { Value = now });
                await using var reader = await claim.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (reader.GetBoolean(0))
                {
                    context.Items[ItemKey] = new Claim(merchant, key, hash, method, path, now);
                    return null;
                }

                if (!reader.IsDBNull(1))
                {
                    return Answer(hash, (byte[])reader[1], reader.GetString(2), reader.GetInt32(3), (byte[])reader[4]);
                }
            }

            // Held by another request (or completed since the statement's snapshot): look again at both.
            await using var select = dataSource.CreateCommand("""
                select c.request_hash, c.path, c.locked_at, k.request_hash, k.path, k.response_status, k.response_body
                from (values (1)) v
                left join idempotency_claims c on c.merchant_id = $1 and c.mode = $2 and c.key = $3
                left join idempotency_keys k on k.merchant_id = $1 and k.mode = $2 and k.key = $3
                """);
            select.Parameters.Add(new() { Value = merchant.MerchantId });
            select.Parameters.Add(new() { Value = merchant.ModeWire });
            select.Parameters.Add(new() { Value = key });
            await using var held = await select.ExecuteReaderAsync(ct);
            await held.ReadAsync(ct);
            if (!held.IsDBNull(3))
            {
                return Answer(hash, (byte[])held[3], held.GetString(4), held.GetInt32(5), (byte[])held[6]);
            }

            if (held.IsDBNull(0))
            {
                continue; // released between our insert and this read: claim again
            }

            if (!CryptographicOperations.FixedTimeEquals((byte[])held[0], hash))
            {
                return Reused(held.GetString(1));
            }

            var lockedAt = held.GetFieldValue<DateTimeOffset>(2);
            if (now - lockedAt > StaleAfter && await TakeOverAsync(merchant, key, lockedAt, now, ct))
            {
                context.Items[ItemKey] = new Claim(merchant, key, hash, method, path, now);
                return null;
            }

            return InUse();
        }

        return InUse();
    }

    private static ApiResponse InUse() =>
        Problems.Create(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry later.");

    private static ApiResponse Reused(string firstPath) =>
        Problems.Create(422, "idempotency_key_reused",
            $"This Idempotency-Key was used for a different request ({firstPath}). Use a new key for a new request.",
            extra: new Dictionary<string, object?> { ["original_path"] = firstPath });

    /// <summary>A completed key: the first response again, or a refusal when the request differs.</summary>
    private ApiResponse Answer(byte[] hash, byte[] firstHash, string firstPath, int status, byte[] sealedBody)
    {
        if (!CryptographicOperations.FixedTimeEquals(firstHash, hash))
        {
            return Reused(firstPath);
        }

        var replay = new ApiResponse(status, box.OpenBytes(sealedBody), status >= 400 ? ApiResponse.ProblemJson : ApiResponse.Json);
        replay.Headers["Idempotent-Replayed"] = "true";
        return replay;
    }

    private async Task<bool> TakeOverAsync(MerchantContext merchant, string key, DateTimeOffset lockedAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("update idempotency_claims set locked_at = $4 where merchant_id = $1 and mode = $2 and key = $3 and locked_at = $5");
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = key });
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = lockedAt });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Adds the recording of <paramref name="response"/> to a batch that commits the resource, so the
    /// key and what it created exist together or not at all.
    /// </summary>
    public static void RecordIn(HttpContext context, NpgsqlBatch batch, ApiResponse response)
    {
        if (context.Items[ItemKey] is not Claim claim)
        {
            return;
        }

        batch.BatchCommands.Add(RecordCommand(claim, response, context.RequestServices.GetRequiredService<SecretBox>()));
        claim.Recorded = true;
    }

    /// <summary>
    /// After the handler: keep what it answered if it did not record it itself (successes of handlers
    /// that write nothing of their own, and business refusals: 404, 409, 422); release the key after a
    /// refusal before the work started or a server error, so that the request can be sent again.
    /// </summary>
    public async Task FinishAsync(HttpContext context, ApiResponse? response)
    {
        if (context.Items[ItemKey] is not Claim claim)
        {
            return;
        }

        // Recorded in a batch whose handler then threw: the batch may never have committed. Left alone,
        // the claim would read "in use" until it went stale and another request re-ran the work
        // (calling the provider again); so it is settled now, by what the database holds.
        if (claim.Recorded && (response is not null || await CompletedAsync(claim)))
        {
            return;
        }

        if (response is { StatusCode: (>= 200 and < 300) or 404 or 409 or 422 })
        {
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(RecordCommand(claim, response, box));
            await batch.ExecuteNonQueryAsync(CancellationToken.None);
            claim.Recorded = true;
            return;
        }

        await using var release = dataSource.CreateCommand("delete from idempotency_claims where merchant_id = $1 and mode = $2 and key = $3 and locked_at = $4");
        release.Parameters.Add(new() { Value = claim.Merchant.MerchantId });
        release.Parameters.Add(new() { Value = claim.Merchant.ModeWire });
        release.Parameters.Add(new() { Value = claim.Key });
        release.Parameters.Add(new() { Value = claim.LockedAt });
        await release.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task<bool> CompletedAsync(Claim claim)
    {
        await using var cmd = dataSource.CreateCommand("select exists (select from idempotency_keys where merchant_id = $1 and mode = $2 and key = $3)");
        cmd.Parameters.Add(new() { Value = claim.Merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = claim.Merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = claim.Key });
        return (bool)(await cmd.ExecuteScalarAsync(CancellationToken.None))!;
    }

    /// <summary>The stored body is sealed: a first response may hold a secret shown once (a new key, a webhook secret).</summary>
    private static NpgsqlBatchCommand RecordCommand(Claim claim, ApiResponse response, SecretBox box)
    {
        // A key completed meanwhile by a request that took over a stale claim keeps its first answer.
        var cmd = new NpgsqlBatchCommand("""
            insert into idempotency_keys (merchant_id, mode, key, request_hash, method, path, state, response_status, response_body, created_at, locked_at, completed_at)
            values ($1, $2, $3, $4, $5, $6, 'completed', $7, $8, $9, $9, now())
            on conflict do nothing
            """);
        cmd.Parameters.Add(new() { Value = claim.Merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = claim.Merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = claim.Key });
        cmd.Parameters.Add(new() { Value = claim.RequestHash });
        cmd.Parameters.Add(new() { Value = claim.Method });
        cmd.Parameters.Add(new() { Value = claim.Path });
        cmd.Parameters.Add(new() { Value = response.StatusCode });
        cmd.Parameters.Add(new() { Value = box.SealBytes(response.Body) });
        cmd.Parameters.Add(new() { Value = claim.LockedAt });
        return cmd;
    }
}

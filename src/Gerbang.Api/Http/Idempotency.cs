using System.Security.Cryptography;
using System.Text;
using Gerbang.Api.Merchants;
using Npgsql;

namespace Gerbang.Api.Http;

/// <summary>
/// The contract's idempotency: a key is claimed by inserting its row (one winner under any
/// concurrency), the outcome is recorded in the same transaction as the resource it created, and the
/// first response is replayed byte for byte. A request refused before it started releases the key.
/// </summary>
public sealed class Idempotency(NpgsqlDataSource dataSource, Database.ClaimsDataSource claims, SecretBox box, TimeProvider timeProvider)
{
    public const string Header = "Idempotency-Key";
    private const string ItemKey = "gerbang.idempotency";

    /// <summary>A claim left by a request that died mid-way may be taken over after this long.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>Keys are kept at least this long.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public sealed class Claim(MerchantContext merchant, string key)
    {
        public MerchantContext Merchant { get; } = merchant;

        public string Key { get; } = key;

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
            // The claim is only a lock, so its commit need not wait for the disk (ClaimsDataSource):
            // WAL is written in order, so the durable commit that records the outcome makes the claim
            // durable too, and a claim lost in a crash guarded no committed work.
            await using (var insert = claims.DataSource.CreateCommand("""
                insert into idempotency_keys (merchant_id, mode, key, request_hash, method, path, state, created_at, locked_at)
                values ($1, $2, $3, $4, $5, $6, 'started', $7, $7)
                on conflict do nothing
                """))
            {
                insert.Parameters.Add(new() { Value = merchant.MerchantId });
                insert.Parameters.Add(new() { Value = merchant.ModeWire });
                insert.Parameters.Add(new() { Value = key });
                insert.Parameters.Add(new() { Value = hash });
                insert.Parameters.Add(new() { Value = method });
                insert.Parameters.Add(new() { Value = path });
                insert.Parameters.Add(new() { Value = now });
                if (await insert.ExecuteNonQueryAsync(ct) == 1)
                {
                    context.Items[ItemKey] = new Claim(merchant, key);
                    return null;
                }
            }

            await using var select = dataSource.CreateCommand("""
                select request_hash, path, state, response_status, response_body, locked_at, created_at
                from idempotency_keys where merchant_id = $1 and mode = $2 and key = $3
                """);
            select.Parameters.Add(new() { Value = merchant.MerchantId });
            select.Parameters.Add(new() { Value = merchant.ModeWire });
            select.Parameters.Add(new() { Value = key });
            await using var reader = await select.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                continue; // released between our insert and this read: claim again
            }

            var firstHash = (byte[])reader[0];
            var firstPath = reader.GetString(1);
            var state = reader.GetString(2);
            var lockedAt = reader.GetFieldValue<DateTimeOffset>(5);
            if (!CryptographicOperations.FixedTimeEquals(firstHash, hash))
            {
                return Problems.Create(422, "idempotency_key_reused",
                    $"This Idempotency-Key was used for a different request ({firstPath}). Use a new key for a new request.",
                    extra: new Dictionary<string, object?> { ["original_path"] = firstPath });
            }

            if (state == "started")
            {
                if (now - lockedAt > StaleAfter && await TakeOverAsync(merchant, key, lockedAt, now, ct))
                {
                    context.Items[ItemKey] = new Claim(merchant, key);
                    return null;
                }

                return Problems.Create(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry later.");
            }

            var status = reader.GetInt32(3);
            var replay = new ApiResponse(status, box.OpenBytes((byte[])reader[4]), status >= 400 ? ApiResponse.ProblemJson : ApiResponse.Json);
            replay.Headers["Idempotent-Replayed"] = "true";
            return replay;
        }

        return Problems.Create(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry later.");
    }

    private async Task<bool> TakeOverAsync(MerchantContext merchant, string key, DateTimeOffset lockedAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("update idempotency_keys set locked_at = $4 where merchant_id = $1 and mode = $2 and key = $3 and state = 'started' and locked_at = $5");
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
        if (context.Items[ItemKey] is not Claim claim || claim.Recorded)
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

        await using var release = dataSource.CreateCommand("delete from idempotency_keys where merchant_id = $1 and mode = $2 and key = $3 and state = 'started'");
        release.Parameters.Add(new() { Value = claim.Merchant.MerchantId });
        release.Parameters.Add(new() { Value = claim.Merchant.ModeWire });
        release.Parameters.Add(new() { Value = claim.Key });
        await release.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>The stored body is sealed: a first response may hold a secret shown once (a new key, a webhook secret).</summary>
    private static NpgsqlBatchCommand RecordCommand(Claim claim, ApiResponse response, SecretBox box)
    {
        var cmd = new NpgsqlBatchCommand("""
            update idempotency_keys set state = 'completed', response_status = $4, response_body = $5, completed_at = now()
            where merchant_id = $1 and mode = $2 and key = $3 and state = 'started'
            """);
        cmd.Parameters.Add(new() { Value = claim.Merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = claim.Merchant.ModeWire });
        cmd.Parameters.Add(new() { Value = claim.Key });
        cmd.Parameters.Add(new() { Value = response.StatusCode });
        cmd.Parameters.Add(new() { Value = box.SealBytes(response.Body) });
        return cmd;
    }
}

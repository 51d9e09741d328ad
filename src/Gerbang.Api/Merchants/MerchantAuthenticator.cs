using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Merchants;

/// <summary>
/// Resolves a secret key to its merchant. Keys are looked up by hash and the hash compared again in
/// constant time; answers are cached for a few seconds so the hot path does not query per request,
/// and <see cref="Forget"/> drops a key at once when it is rolled or its merchant suspended. Keys
/// nobody holds are remembered too, briefly and only up to a bound, so a flood of made-up keys can
/// neither grow memory nor reach the database more than its address's rate limit lets it. When a key
/// was last used is written at most once a minute per key.
/// </summary>
public sealed class MerchantAuthenticator(NpgsqlDataSource dataSource, TimeProvider timeProvider, Microsoft.Extensions.Options.IOptions<RateLimitOptions> limits)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastUsedEvery = TimeSpan.FromMinutes(1);
    public const int MaxUnknownRemembered = 10_000;
    private readonly ConcurrentDictionary<string, (KeyRecord? Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new(StringComparer.Ordinal);

    /// <summary>How many made-up keys are remembered now (never more than <see cref="MaxUnknownRemembered"/>).</summary>
    public int UnknownRemembered => _unknown.Count;

    /// <summary>
    /// One bucket per sender address for keys Gerbang does not know (none, malformed, made up, expired
    /// or revoked): each refusal takes a token, and with none left the next unknown key is refused
    /// with 429 before any lookup.
    /// </summary>
    private readonly System.Threading.RateLimiting.PartitionedRateLimiter<string> _unknownKeys = System.Threading.RateLimiting.PartitionedRateLimiter.Create<string, string>(address =>
        System.Threading.RateLimiting.RateLimitPartition.GetTokenBucketLimiter(address, _ => new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limits.Value.UnknownKeyPerSecond * 2),
            TokensPerPeriod = Math.Max(1, limits.Value.UnknownKeyPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private ApiResponse Refused(HttpRequest request, ApiResponse problem)
    {
        using var lease = _unknownKeys.AttemptAcquire(request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "?");
        return lease.IsAcquired ? problem : TooMany();
    }

    private bool Exhausted(HttpRequest request) =>
        _unknownKeys.GetStatistics(request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "?") is { CurrentAvailablePermits: <= 0 };

    private static ApiResponse TooMany()
    {
        var problem = Problems.Create(429, "rate_limited", "Too many requests with keys Gerbang does not know; retry after 1 s.");
        problem.Headers["Retry-After"] = "1";
        return problem;
    }

    private sealed record KeyRecord(string KeyId, string MerchantId, Mode Mode, byte[] Hash, string MerchantStatus, bool Approved, DateTimeOffset? ExpiresAt);

    public async Task<(MerchantContext? Context, ApiResponse? Problem)> AuthenticateAsync(HttpRequest request)
    {
        var presented = MerchantContext.PresentedKey(request);
        if (!ApiKeys.TryParse(presented, out var mode))
        {
            return (null, Refused(request, Problems.Unauthorized()));
        }

        var hash = ApiKeys.Hash(presented!);
        var cacheKey = Convert.ToHexString(hash);
        var now = timeProvider.GetUtcNow();
        KeyRecord? record;
        if (_cache.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            record = cached.Record;
        }
        else if (_unknown.TryGetValue(cacheKey, out var until) && until > now)
        {
            record = null;
        }
        else if (Exhausted(request))
        {
            // This address has sent too many keys nobody holds: no lookup for it now.
            return (null, TooMany());
        }
        else
        {
            record = await LoadAsync(hash, request.HttpContext.RequestAborted);
            if (record is not null)
            {
                _cache[cacheKey] = (record, now + CacheFor);
                _unknown.TryRemove(cacheKey, out _);
            }
            else
            {
                RememberUnknown(cacheKey, now);
            }
        }

        if (record is null || !CryptographicOperations.FixedTimeEquals(record.Hash, hash) || record.Mode != mode
            || (record.ExpiresAt is { } expires && expires <= now))
        {
            return (null, Refused(request, Problems.Unauthorized("The secret key is not valid.")));
        }

        if (record.MerchantStatus == "suspended")
        {
            return (null, Problems.Create(403, "merchant_suspended", "This merchant is suspended."));
        }

        if (mode == Mode.Live && !record.Approved)
        {
            return (null, Problems.Create(403, "merchant_not_approved", "Live keys work only for approved merchants."));
        }

        NoteUsed(record.KeyId, now);
        return (new MerchantContext(record.MerchantId, record.Mode, record.KeyId), null);
    }

    public void Forget()
    {
        _cache.Clear();
        _unknown.Clear();
    }

    private void RememberUnknown(string cacheKey, DateTimeOffset now)
    {
        if (_unknown.Count >= MaxUnknownRemembered)
        {
            foreach (var (k, until) in _unknown)
            {
                if (until <= now)
                {
                    _unknown.TryRemove(k, out _);
                }
            }

            if (_unknown.Count >= MaxUnknownRemembered)
            {
                return; // full of live entries: not remembered, and the address's bucket limits the lookups
            }
        }

        _unknown[cacheKey] = now + CacheFor;
    }

    /// <summary>Records when a key was used, at most once a minute per key, off the request's path.</summary>
    private void NoteUsed(string keyId, DateTimeOffset now)
    {
        if (_lastUsedWritten.TryGetValue(keyId, out var written) && now - written < LastUsedEvery)
        {
            return;
        }

        _lastUsedWritten[keyId] = now;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var cmd = dataSource.CreateCommand("update api_keys set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2)");
                cmd.Parameters.Add(new() { Value = keyId });
                cmd.Parameters.Add(new() { Value = now });
                await cmd.ExecuteNonQueryAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
                // Only a hint for people; the next use writes it again.
                _lastUsedWritten.TryRemove(keyId, out _);
            }
        });
    }

    private async Task<KeyRecord?> LoadAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            select k.id, k.merchant_id, k.mode, k.key_hash, m.status, m.approved_at is not null, k.expires_at
            from api_keys k join merchants m on m.id = k.merchant_id
            where k.key_hash = $1 and k.revoked_at is null
            """);
        cmd.Parameters.Add(new() { Value = hash });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new KeyRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2) == "live" ? Mode.Live : Mode.Test,
            (byte[])reader[3],
            reader.GetString(4),
            reader.GetBoolean(5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
    }
}

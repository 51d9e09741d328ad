using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Merchants;

/// <summary>
/// Resolves a secret key to its merchant. Keys are looked up by hash and the hash compared again in
/// constant time; answers are cached for a few seconds so the hot path does not query per request,
/// and <see cref="Forget"/> drops a key at once when it is rolled or its merchant suspended.
/// </summary>
public sealed class MerchantAuthenticator(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (KeyRecord? Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    private sealed record KeyRecord(string KeyId, string MerchantId, Mode Mode, byte[] Hash, string MerchantStatus, bool Approved, DateTimeOffset? ExpiresAt);

    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        var apiKey = request.Headers["X-API-Key"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }

    public async Task<(MerchantContext? Context, ApiResponse? Problem)> AuthenticateAsync(HttpRequest request)
    {
        var presented = PresentedKey(request);
        if (!ApiKeys.TryParse(presented, out var mode))
        {
            return (null, Problems.Unauthorized());
        }

        var hash = ApiKeys.Hash(presented!);
        var cacheKey = Convert.ToHexString(hash);
        var now = timeProvider.GetUtcNow();
        KeyRecord? record;
        if (_cache.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            record = cached.Record;
        }
        else
        {
            record = await LoadAsync(hash, request.HttpContext.RequestAborted);
            _cache[cacheKey] = (record, now + CacheFor);
        }

        if (record is null || !CryptographicOperations.FixedTimeEquals(record.Hash, hash) || record.Mode != mode
            || (record.ExpiresAt is { } expires && expires <= now))
        {
            return (null, Problems.Unauthorized("The secret key is not valid."));
        }

        if (record.MerchantStatus == "suspended")
        {
            return (null, Problems.Create(403, "merchant_suspended", "This merchant is suspended."));
        }

        if (mode == Mode.Live && !record.Approved)
        {
            return (null, Problems.Create(403, "merchant_not_approved", "Live keys work only for approved merchants."));
        }

        return (new MerchantContext(record.MerchantId, record.Mode, record.KeyId), null);
    }

    public void Forget() => _cache.Clear();

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

using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Domain.Webhooks;

/// <summary>Signing per the Standard Webhooks specification, and the contract's retry schedule.</summary>
public static class StandardWebhooks
{
    public const string SecretPrefix = "whsec_";

    /// <summary>The delays before each retry after a failed attempt; after the last, the delivery fails.</summary>
    public static IReadOnlyList<TimeSpan> RetryDelays { get; } =
    [
        TimeSpan.Zero,
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(10),
    ];

    /// <summary>The total number of attempts: the first one plus every retry.</summary>
    public static int MaxAttempts => RetryDelays.Count + 1;

    /// <summary>When the attempt after the <paramref name="failedAttempts"/>-th failure is due, or null when none is left.</summary>
    public static DateTimeOffset? NextAttemptAt(int failedAttempts, DateTimeOffset now) =>
        failedAttempts >= 1 && failedAttempts <= RetryDelays.Count ? now + RetryDelays[failedAttempts - 1] : null;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static byte[] KeyFromSecret(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    /// <summary><c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, content, mac);
        return "v1," + Convert.ToBase64String(mac);
    }
}

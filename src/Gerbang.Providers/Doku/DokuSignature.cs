using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers.Doku;

/// <summary>
/// DOKU. Non-SNAP: <c>Digest</c> = base64 SHA-256 of the body; <c>Signature</c> = "HMACSHA256=" +
/// base64 HMAC-SHA256(secret) over the lines Client-Id, Request-Id, Request-Timestamp, Request-Target
/// and (when there is a body) Digest, each "Name:value", joined by "\n". Notifications are signed the
/// same way with the receiving path as Request-Target. SNAP: <c>X-SIGNATURE</c> = base64
/// HMAC-SHA512(client secret) over "METHOD:path:access token:lowercase hex SHA-256(body):timestamp".
/// </summary>
public static class DokuSignature
{
    public static string Digest(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    public static string NonSnap(string clientId, string requestId, string timestamp, string target, string? digest, string secret)
    {
        Span<byte> mac = stackalloc byte[32];
        NonSnapMac(clientId, requestId, timestamp, target, digest, digest is not null, secret, mac);
        return Prefix + Convert.ToBase64String(mac);
    }

    /// <summary>Verifies a notification over its raw body, for the path it was delivered to, without allocating.</summary>
    public static bool VerifyNotification(string? clientId, string? requestId, string? timestamp, string? presented, string path, ReadOnlySpan<byte> body, string expectedClientId, string secret)
    {
        if (clientId is null || requestId is null || timestamp is null || presented is null || !presented.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        Span<char> digest = stackalloc char[44];
        Convert.TryToBase64Chars(hash, digest, out var digestLength);
        Span<byte> mac = stackalloc byte[32];
        NonSnapMac(clientId, requestId, timestamp, path, digest[..digestLength], true, secret, mac);
        return Fixed.Equal(clientId, expectedClientId) & Presented.Base64Equals(presented.AsSpan(Prefix.Length), mac);
    }

    private const string Prefix = "HMACSHA256=";

    /// <summary>The HMAC over the component lines; the Digest line only when there is a body.</summary>
    private static void NonSnapMac(string clientId, string requestId, string timestamp, string target, ReadOnlySpan<char> digest, bool hasDigest, string secret, Span<byte> mac)
    {
        Span<byte> keyScratch = stackalloc byte[256];
        var text = new SignedText(256 + clientId.Length + requestId.Length + target.Length);
        try
        {
            text.Append("Client-Id:");
            text.Append(clientId);
            text.Append("\nRequest-Id:");
            text.Append(requestId);
            text.Append("\nRequest-Timestamp:");
            text.Append(timestamp);
            text.Append("\nRequest-Target:");
            text.Append(target);
            if (hasDigest)
            {
                text.Append("\nDigest:");
                text.Append(digest);
            }

            HMACSHA256.HashData(Presented.Key(secret, keyScratch), text.Bytes, mac);
        }
        finally
        {
            text.Dispose();
        }
    }

    public static string Snap(string method, string path, string accessToken, ReadOnlySpan<byte> body, string timestamp, string clientSecret)
    {
        var text = $"{method}:{path}:{accessToken}:{Convert.ToHexStringLower(SHA256.HashData(body))}:{timestamp}";
        return Convert.ToBase64String(HMACSHA512.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(text)));
    }
}

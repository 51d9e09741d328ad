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
        var components = new StringBuilder()
            .Append("Client-Id:").Append(clientId).Append('\n')
            .Append("Request-Id:").Append(requestId).Append('\n')
            .Append("Request-Timestamp:").Append(timestamp).Append('\n')
            .Append("Request-Target:").Append(target);
        if (digest is not null)
        {
            components.Append('\n').Append("Digest:").Append(digest);
        }

        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(components.ToString()));
        return "HMACSHA256=" + Convert.ToBase64String(mac);
    }

    /// <summary>Verifies a notification over its raw body, for the path it was delivered to.</summary>
    public static bool VerifyNotification(string? clientId, string? requestId, string? timestamp, string? presented, string path, ReadOnlySpan<byte> body, string expectedClientId, string secret) =>
        clientId is not null && requestId is not null && timestamp is not null && presented is not null
        && Fixed.Equal(clientId, expectedClientId)
        && Fixed.Equal(presented, NonSnap(clientId, requestId, timestamp, path, Digest(body), secret));

    public static string Snap(string method, string path, string accessToken, ReadOnlySpan<byte> body, string timestamp, string clientSecret)
    {
        var text = $"{method}:{path}:{accessToken}:{Convert.ToHexStringLower(SHA256.HashData(body))}:{timestamp}";
        return Convert.ToBase64String(HMACSHA512.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(text)));
    }
}

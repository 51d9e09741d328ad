using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers.Ipaymu;

/// <summary>
/// iPaymu v2. Requests: <c>signature</c> = lowercase hex HMAC-SHA256(API key) over
/// "POST:{va}:{lowercase hex SHA-256(body)}:{API key}". Callbacks: <c>X-Signature</c> = lowercase hex
/// HMAC-SHA256 keyed by the VA over the callback fields as canonical JSON (keys sorted, compact,
/// "/" escaped as "\/", as PHP's json_encode writes them).
/// </summary>
public static class IpaymuSignature
{
    public static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    public static string Request(string va, ReadOnlySpan<byte> body, string apiKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), Encoding.UTF8.GetBytes($"POST:{va}:{BodyHash(body)}:{apiKey}")));

    public static string Callback(string canonicalJson, string va) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(va), Encoding.UTF8.GetBytes(canonicalJson)));

    public static bool VerifyCallback(string canonicalJson, string? presented, string va) =>
        presented is not null && Fixed.Equal(presented, Callback(canonicalJson, va));
}

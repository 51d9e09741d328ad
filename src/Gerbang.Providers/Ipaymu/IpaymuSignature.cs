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

    public static string Callback(string canonicalJson, string va)
    {
        Span<byte> mac = stackalloc byte[32];
        CallbackMac(canonicalJson, va, mac);
        return Convert.ToHexStringLower(mac);
    }

    public static bool VerifyCallback(string canonicalJson, string? presented, string va)
    {
        Span<byte> mac = stackalloc byte[32];
        CallbackMac(canonicalJson, va, mac);
        return presented is not null && Presented.HexEquals(presented, mac);
    }

    private static void CallbackMac(string canonicalJson, string va, Span<byte> mac)
    {
        Span<byte> keyScratch = stackalloc byte[128];
        var text = new SignedText(canonicalJson.Length * 2);
        try
        {
            text.Append(canonicalJson);
            HMACSHA256.HashData(Presented.Key(va, keyScratch), text.Bytes, mac);
        }
        finally
        {
            text.Dispose();
        }
    }
}

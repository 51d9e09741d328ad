using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Simulators.Shared;

/// <summary>
/// The simulated providers' own signers, written from the providers' documentation and checked against
/// the same vectors as the adapters, so a mistake in an adapter cannot hide behind the same mistake
/// here. Nothing in this file calls adapter code.
/// </summary>
public static class ProviderSigners
{
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Midtrans notification <c>signature_key</c>.</summary>
    public static string MidtransSignatureKey(string orderId, string statusCode, string grossAmount, string serverKey)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        foreach (var part in new[] { orderId, statusCode, grossAmount, serverKey })
        {
            sha.AppendData(Utf8(part));
        }

        return Hex(sha.GetHashAndReset());
    }

    /// <summary>Midtrans Iris <c>Iris-Signature</c>.</summary>
    public static string MidtransIris(byte[] body, string merchantKey)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(body);
        sha.AppendData(Utf8(merchantKey));
        return Hex(sha.GetHashAndReset());
    }

    /// <summary>DOKU Non-SNAP <c>Signature</c> header, the Digest line only when there is a body.</summary>
    public static string DokuNonSnap(string clientId, string requestId, string timestamp, string target, byte[]? body, string secret)
    {
        var lines = new List<string> { "Client-Id:" + clientId, "Request-Id:" + requestId, "Request-Timestamp:" + timestamp, "Request-Target:" + target };
        if (body is not null)
        {
            lines.Add("Digest:" + Convert.ToBase64String(SHA256.HashData(body)));
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Utf8(secret));
        hmac.AppendData(Utf8(string.Join('\n', lines)));
        return "HMACSHA256=" + Convert.ToBase64String(hmac.GetHashAndReset());
    }

    /// <summary>DOKU SNAP <c>X-SIGNATURE</c> (symmetric).</summary>
    public static string DokuSnap(string method, string path, string token, byte[] body, string timestamp, string clientSecret)
    {
        var stringToSign = string.Join(':', method, path, token, Hex(SHA256.HashData(body)), timestamp);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA512, Utf8(clientSecret));
        hmac.AppendData(Utf8(stringToSign));
        return Convert.ToBase64String(hmac.GetHashAndReset());
    }

    /// <summary>iPaymu request <c>signature</c>.</summary>
    public static string IpaymuRequest(string va, byte[] body, string apiKey)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Utf8(apiKey));
        hmac.AppendData(Utf8(string.Join(':', "POST", va, Hex(SHA256.HashData(body)), apiKey)));
        return Hex(hmac.GetHashAndReset());
    }

    /// <summary>iPaymu callback <c>X-Signature</c>: the fields as PHP's ksort + json_encode write them, keyed by the VA.</summary>
    public static string IpaymuCallback(SortedDictionary<string, object> fields, string va)
    {
        var json = new StringBuilder("{");
        var first = true;
        foreach (var (key, value) in fields)
        {
            json.Append(first ? "" : ",").Append('"').Append(key).Append("\":");
            first = false;
            json.Append(value switch
            {
                string s => "\"" + s.Replace("/", "\\/", StringComparison.Ordinal) + "\"",
                long or int => Convert.ToString(value, CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                Array { Length: 0 } => "[]",
                _ => throw new ArgumentException($"Unsupported callback value for {key}."),
            });
        }

        json.Append('}');
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Utf8(va));
        hmac.AppendData(Utf8(json.ToString()));
        return Hex(hmac.GetHashAndReset());
    }

    /// <summary>Stripe <c>Stripe-Signature</c>; the endpoint secret is the HMAC key as text, prefix included.</summary>
    public static string Stripe(string secret, long timestamp, byte[] payload)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Utf8(secret));
        hmac.AppendData(Utf8(timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(payload);
        return "t=" + timestamp.ToString(CultureInfo.InvariantCulture) + ",v1=" + Hex(hmac.GetHashAndReset());
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>
/// The receiving side of Standard Webhooks, written here from the specification and independent of
/// Gerbang's signer, as a merchant would write it.
/// </summary>
public static class StandardWebhooksVerifier
{
    public static bool Verify(string secret, string id, string timestamp, byte[] body, string signatureHeader)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return signatureHeader.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Simulators.Generic;

/// <summary>
/// The generic simulator's notification signature, computed here independently of the adapter:
/// <c>Simulator-Signature: t={unix},v1={hex(HMAC-SHA256(secret, "{t}.{body}"))}</c>.
/// </summary>
public static class GenericSignature
{
    public const string Header = "Simulator-Signature";

    public static string Compute(string secret, long timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message, prefix.Length);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }
}

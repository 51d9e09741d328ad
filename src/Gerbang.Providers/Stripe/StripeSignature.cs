using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers.Stripe;

/// <summary>
/// Stripe: <c>Stripe-Signature: t={unix},v1={hex}</c> where the hex is HMAC-SHA256 keyed by the
/// endpoint secret as UTF-8 text (its "whsec_" prefix included) over "{t}.{raw body}". Accepted within
/// 300 seconds of our clock, either way; any one of several v1 values may match.
/// </summary>
public static class StripeSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <summary>The same HMAC-SHA256 over "{t}.{body}" as the simulator's scheme, keyed by the secret's UTF-8 text.</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> keyScratch = stackalloc byte[256];
        Span<byte> mac = stackalloc byte[32];
        Simulator.SimulatorSignature.Compute(Presented.Key(secret, keyScratch), timestamp, body, mac);
        return Convert.ToHexStringLower(mac);
    }

    public static string Header(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Compute(secret, timestamp, body)}";

    public static bool Verify(string? header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header) || !Simulator.TimestampHeader.TryRead(header, out var ts) || Math.Abs(now.ToUnixTimeSeconds() - ts) > Tolerance.TotalSeconds)
        {
            return false;
        }

        Span<byte> keyScratch = stackalloc byte[256];
        Span<byte> expected = stackalloc byte[32];
        Simulator.SimulatorSignature.Compute(Presented.Key(secret, keyScratch), ts, body, expected);
        return Simulator.TimestampHeader.AnyV1Matches(header, expected);
    }
}

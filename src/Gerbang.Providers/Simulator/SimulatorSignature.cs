using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers.Simulator;

/// <summary>
/// Verifies <c>Simulator-Signature: t={unix},v1={hex}</c> where the hex is
/// HMAC-SHA256(secret, "{t}.{raw body}"), within a tolerance of our clock, in constant time.
/// </summary>
public static class SimulatorSignature
{
    public const string Header = "Simulator-Signature";

    public static bool Verify(string? header, ReadOnlySpan<byte> body, byte[] secret, DateTimeOffset now, TimeSpan tolerance, out string reason)
    {
        if (string.IsNullOrEmpty(header))
        {
            reason = "missing signature header";
            return false;
        }

        long timestamp = -1;
        var signatures = new List<string>(1);
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }
        }

        if (timestamp < 0 || signatures.Count == 0)
        {
            reason = "malformed signature header";
            return false;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > (long)tolerance.TotalSeconds)
        {
            reason = "signature timestamp outside tolerance";
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(secret, timestamp, body, expected);
        Span<byte> presented = stackalloc byte[32];
        foreach (var candidate in signatures)
        {
            if (candidate.Length == 64
                && Convert.FromHexString(candidate, presented, out _, out var written) == OperationStatus.Done
                && written == 32
                && CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                reason = "";
                return true;
            }
        }

        reason = "signature mismatch";
        return false;
    }

    public static void Compute(byte[] secret, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        Span<byte> prefix = stackalloc byte[24];
        var length = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".", prefix);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(prefix[..length]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}

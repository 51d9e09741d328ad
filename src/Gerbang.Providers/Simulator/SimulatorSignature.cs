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

        if (!TimestampHeader.TryRead(header, out var timestamp))
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
        reason = TimestampHeader.AnyV1Matches(header, expected) ? "" : "signature mismatch";
        return reason.Length == 0;
    }

    public static void Compute(ReadOnlySpan<byte> secret, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var text = new SignedText(body.Length + 24);
        try
        {
            text.Append(timestamp);
            text.Append('.');
            text.Append(body);
            HMACSHA256.HashData(secret, text.Bytes, destination);
        }
        finally
        {
            text.Dispose();
        }
    }
}

/// <summary>Reads <c>t={unix},v1={hex}[,v1=…]</c> headers (the simulator's and Stripe's) without allocating.</summary>
internal static class TimestampHeader
{
    public static bool TryRead(ReadOnlySpan<char> header, out long timestamp)
    {
        timestamp = -1;
        var hasV1 = false;
        foreach (var range in header.Split(','))
        {
            var part = header[range];
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key.SequenceEqual("t") && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key.SequenceEqual("v1"))
            {
                hasV1 = true;
            }
        }

        return timestamp >= 0 && hasV1;
    }

    /// <summary>Whether any v1 value is the hex of <paramref name="expected"/>; every candidate is compared in constant time.</summary>
    public static bool AnyV1Matches(ReadOnlySpan<char> header, ReadOnlySpan<byte> expected)
    {
        var matched = false;
        foreach (var range in header.Split(','))
        {
            var part = header[range];
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().SequenceEqual("v1"))
            {
                matched |= Presented.HexEquals(part[(eq + 1)..].Trim(), expected);
            }
        }

        return matched;
    }
}

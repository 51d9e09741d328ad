using System.Security.Cryptography;
using System.Text;
using Gerbang.Domain;

namespace Gerbang.Api.Http;

/// <summary>
/// Secret keys: <c>sk_test_</c> or <c>sk_live_</c> and 32 base62 characters from the system CSPRNG.
/// Only their SHA-256 is stored; the key itself is shown once.
/// </summary>
public static class ApiKeys
{
    public const int RandomLength = 32;

    public static string New(Mode mode) => Prefix(mode) + Ids.RandomBase62(RandomLength);

    public static string Prefix(Mode mode) => mode == Mode.Live ? "sk_live_" : "sk_test_";

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Something to recognise a key by in lists, without revealing it: <c>sk_test_…a1b2</c>.</summary>
    public static string Hint(string key) => key[..8] + "…" + key[^4..];

    public static bool TryParse(string? presented, out Mode mode)
    {
        mode = Mode.Test;
        if (presented is null || presented.Length != 8 + RandomLength)
        {
            return false;
        }

        if (presented.StartsWith("sk_test_", StringComparison.Ordinal))
        {
            mode = Mode.Test;
        }
        else if (presented.StartsWith("sk_live_", StringComparison.Ordinal))
        {
            mode = Mode.Live;
        }
        else
        {
            return false;
        }

        foreach (var c in presented.AsSpan(8))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

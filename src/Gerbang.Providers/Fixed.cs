using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers;

/// <summary>Constant-time comparison of two signature strings (as UTF-8), allocation-free for the lengths signatures have.</summary>
internal static class Fixed
{
    public static bool Equal(string a, string b)
    {
        if (a.Length > 512 || b.Length > 512)
        {
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
        }

        Span<byte> left = stackalloc byte[Encoding.UTF8.GetMaxByteCount(a.Length)];
        Span<byte> right = stackalloc byte[Encoding.UTF8.GetMaxByteCount(b.Length)];
        return CryptographicOperations.FixedTimeEquals(left[..Encoding.UTF8.GetBytes(a, left)], right[..Encoding.UTF8.GetBytes(b, right)]);
    }
}

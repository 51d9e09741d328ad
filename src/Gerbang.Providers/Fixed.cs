using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers;

/// <summary>Constant-time comparison of two signature strings.</summary>
internal static class Fixed
{
    public static bool Equal(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

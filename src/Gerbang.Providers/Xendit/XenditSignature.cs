using System.Text;

namespace Gerbang.Providers.Xendit;

/// <summary>
/// Xendit: HTTP Basic with the secret key and an empty password. Notifications are not signed: they
/// carry the dashboard's verification token in <c>x-callback-token</c>, compared in constant time.
/// </summary>
public static class XenditSignature
{
    public const string CallbackTokenHeader = "x-callback-token";

    public static string BasicAuth(string secretKey) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":"));

    public static bool VerifyCallbackToken(string? presented, string verificationToken) =>
        !string.IsNullOrEmpty(presented) && verificationToken.Length > 0 && Fixed.Equal(presented, verificationToken);
}

using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers.Midtrans;

/// <summary>
/// Midtrans: HTTP Basic with the server key and an empty password; notifications carry
/// <c>signature_key</c> = lowercase hex SHA-512 of order_id + status_code + gross_amount + server key,
/// over the strings exactly as sent (<c>gross_amount</c> keeps its ".00"). Iris payout notifications
/// carry <c>Iris-Signature</c> = lowercase hex SHA-512 of the raw body + the Iris merchant key.
/// </summary>
public static class MidtransSignature
{
    public static string BasicAuth(string serverKey) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(serverKey + ":"));

    public static string SignatureKey(string orderId, string statusCode, string grossAmount, string serverKey)
    {
        Span<byte> hash = stackalloc byte[64];
        NotificationHash(orderId, statusCode, grossAmount, serverKey, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static bool VerifyNotification(string orderId, string statusCode, string grossAmount, string? presented, string serverKey)
    {
        Span<byte> hash = stackalloc byte[64];
        NotificationHash(orderId, statusCode, grossAmount, serverKey, hash);
        return presented is not null && Presented.HexEquals(presented, hash);
    }

    public static string IrisSignature(ReadOnlySpan<byte> rawBody, string merchantKey)
    {
        Span<byte> hash = stackalloc byte[64];
        IrisHash(rawBody, merchantKey, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static bool VerifyIris(ReadOnlySpan<byte> rawBody, string? presented, string merchantKey)
    {
        Span<byte> hash = stackalloc byte[64];
        IrisHash(rawBody, merchantKey, hash);
        return presented is not null && Presented.HexEquals(presented, hash);
    }

    /// <summary>SHA-512 of order_id + status_code + gross_amount + server key, the strings exactly as sent.</summary>
    private static void NotificationHash(string orderId, string statusCode, string grossAmount, string serverKey, Span<byte> hash)
    {
        var text = new SignedText(orderId.Length + statusCode.Length + grossAmount.Length + serverKey.Length + 16);
        try
        {
            text.Append(orderId);
            text.Append(statusCode);
            text.Append(grossAmount);
            text.Append(serverKey);
            SHA512.HashData(text.Bytes, hash);
        }
        finally
        {
            text.Dispose();
        }
    }

    /// <summary>SHA-512 of the raw body followed by the Iris merchant key.</summary>
    private static void IrisHash(ReadOnlySpan<byte> rawBody, string merchantKey, Span<byte> hash)
    {
        var text = new SignedText(rawBody.Length + merchantKey.Length * 3);
        try
        {
            text.Append(rawBody);
            text.Append(merchantKey);
            SHA512.HashData(text.Bytes, hash);
        }
        finally
        {
            text.Dispose();
        }
    }
}

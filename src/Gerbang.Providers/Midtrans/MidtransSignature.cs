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

    public static string SignatureKey(string orderId, string statusCode, string grossAmount, string serverKey) =>
        Convert.ToHexStringLower(SHA512.HashData(Encoding.UTF8.GetBytes(orderId + statusCode + grossAmount + serverKey)));

    public static bool VerifyNotification(string orderId, string statusCode, string grossAmount, string? presented, string serverKey)
    {
        if (presented is null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[64];
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

        return Presented.HexEquals(presented, hash);
    }

    public static string IrisSignature(ReadOnlySpan<byte> rawBody, string merchantKey)
    {
        var key = Encoding.UTF8.GetBytes(merchantKey);
        var message = new byte[rawBody.Length + key.Length];
        rawBody.CopyTo(message);
        key.CopyTo(message.AsSpan(rawBody.Length));
        return Convert.ToHexStringLower(SHA512.HashData(message));
    }

    public static bool VerifyIris(ReadOnlySpan<byte> rawBody, string? presented, string merchantKey)
    {
        if (presented is null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[64];
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

        return Presented.HexEquals(presented, hash);
    }
}

using System.Security.Cryptography;

namespace Gerbang.Domain;

/// <summary>Prefixed random identifiers (<c>pay_…</c>): 24 base62 characters, about 143 bits.</summary>
public static class Ids
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int RandomLength = 24;

    public const string Merchant = "mch";
    public const string Payment = "pay";
    public const string Attempt = "att";
    public const string Refund = "re";
    public const string Disbursement = "dsb";
    public const string BankAccount = "ba";
    public const string BalanceTransaction = "bt";
    public const string Event = "evt";
    public const string WebhookEndpoint = "we";
    public const string CheckoutSession = "cs";
    public const string Delivery = "wd";
    public const string LedgerEntry = "le";
    public const string Admin = "adm";
    public const string MerchantUser = "usr";
    public const string ApiKey = "key";
    public const string Notification = "ntf";

    public static string New(string prefix) => prefix + "_" + RandomBase62(RandomLength);

    /// <summary>Uniformly random base62 text from the system CSPRNG (rejection sampling, no modulo bias).</summary>
    public static string RandomBase62(int length)
    {
        return string.Create(length, 0, static (span, _) =>
        {
            Span<byte> buffer = stackalloc byte[64];
            var filled = 0;
            while (filled < span.Length)
            {
                RandomNumberGenerator.Fill(buffer);
                foreach (var b in buffer)
                {
                    // 248 = 4 * 62: values at or above it would bias the first characters.
                    if (b >= 248)
                    {
                        continue;
                    }

                    span[filled++] = Base62[b % 62];
                    if (filled == span.Length)
                    {
                        break;
                    }
                }
            }
        });
    }

    /// <summary>True when <paramref name="id"/> has the prefix and a well-formed random part.</summary>
    public static bool IsWellFormed(string? id, string prefix)
    {
        if (id is null || id.Length != prefix.Length + 1 + RandomLength || !id.StartsWith(prefix + "_", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(prefix.Length + 1))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

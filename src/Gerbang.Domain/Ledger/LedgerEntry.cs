namespace Gerbang.Domain.Ledger;

/// <summary>Kinds of ledger account. Liabilities to merchants are credit-normal; money held is debit-normal.</summary>
public enum AccountKind
{
    /// <summary>Money a provider holds for us (asset, debit-normal).</summary>
    ProviderClearing,

    /// <summary>What Gerbang earned in fees (revenue, credit-normal).</summary>
    PlatformFees,

    /// <summary>The other side of corrections finance makes to provider balances (credit-normal).</summary>
    PlatformAdjustments,

    /// <summary>What a merchant can pay out or refund from (liability, credit-normal).</summary>
    MerchantAvailable,

    /// <summary>What a merchant is owed but cannot use yet (liability, credit-normal).</summary>
    MerchantPending,

    /// <summary>What is set aside for a disbursement in flight (liability, credit-normal).</summary>
    MerchantReserved,
}

public static class AccountKinds
{
    public static string ToWire(this AccountKind kind) => kind switch
    {
        AccountKind.ProviderClearing => "provider_clearing",
        AccountKind.PlatformFees => "platform_fees",
        AccountKind.PlatformAdjustments => "platform_adjustments",
        AccountKind.MerchantAvailable => "merchant_available",
        AccountKind.MerchantPending => "merchant_pending",
        AccountKind.MerchantReserved => "merchant_reserved",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>+1 when a debit raises the balance, -1 when a credit does.</summary>
    public static int NormalSign(this AccountKind kind) => kind == AccountKind.ProviderClearing ? 1 : -1;
}

/// <summary>Names one ledger account: per mode and currency, and per merchant or provider where it applies.</summary>
public sealed record AccountRef(AccountKind Kind, Mode Mode, Currency Currency, string? Owner)
{
    public static AccountRef Available(string merchantId, Mode mode, Currency currency) => new(AccountKind.MerchantAvailable, mode, currency, merchantId);

    public static AccountRef Clearing(string provider, Mode mode, Currency currency) => new(AccountKind.ProviderClearing, mode, currency, provider);

    public static AccountRef Fees(Mode mode, Currency currency) => new(AccountKind.PlatformFees, mode, currency, null);
}

/// <summary>One line of an entry: debits are positive, credits negative.</summary>
public sealed record Posting(AccountRef Account, long Amount, string? BalanceType = null);

/// <summary>
/// An immutable, balanced set of postings with a business reference that makes it writable once
/// (<c>payment:pay_…:paid</c>). The database checks the balance again at commit.
/// </summary>
public sealed record LedgerEntry
{
    public LedgerEntry(string reference, string description, IReadOnlyList<Posting> postings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (postings.Count < 2)
        {
            throw new ArgumentException("An entry needs at least two postings.", nameof(postings));
        }

        foreach (var group in postings.GroupBy(p => p.Account.Currency))
        {
            long sum = 0;
            foreach (var p in group)
            {
                sum = checked(sum + p.Amount);
            }

            if (sum != 0)
            {
                throw new ArgumentException($"Postings in {group.Key} sum to {sum}, not zero.", nameof(postings));
            }
        }

        Reference = reference;
        Description = description;
        Postings = postings;
    }

    public string Reference { get; }

    public string Description { get; }

    public IReadOnlyList<Posting> Postings { get; }

    /// <summary>
    /// A payment confirmed by its provider: the provider owes us the gross, the merchant is owed the
    /// net, and the platform earned the fee.
    /// </summary>
    public static LedgerEntry PaymentPaid(string reference, string merchantId, string provider, Mode mode, Money gross, Money fee)
    {
        var postings = new List<Posting>
        {
            new(AccountRef.Clearing(provider, mode, gross.Currency), gross.Amount),
            new(AccountRef.Available(merchantId, mode, gross.Currency), -gross.Amount, "payment"),
        };
        if (fee.IsPositive)
        {
            postings.Add(new Posting(AccountRef.Available(merchantId, mode, gross.Currency), fee.Amount, "fee"));
            postings.Add(new Posting(AccountRef.Fees(mode, gross.Currency), -fee.Amount));
        }

        return new LedgerEntry(reference, "payment paid", postings);
    }

    /// <summary>Finance corrects what a provider holds (positive: it holds more than the ledger said).</summary>
    public static LedgerEntry ProviderAdjustment(string reference, string provider, Mode mode, Money delta) =>
        new(reference, "provider balance adjustment", [
            new Posting(AccountRef.Clearing(provider, mode, delta.Currency), delta.Amount),
            new Posting(new AccountRef(AccountKind.PlatformAdjustments, mode, delta.Currency, null), -delta.Amount),
        ]);

    /// <summary>A refund leaves the merchant's available balance and goes back out through the provider.</summary>
    public static LedgerEntry RefundCreated(string reference, string merchantId, string provider, Mode mode, Money amount) =>
        new(reference, "refund", [
            new Posting(AccountRef.Available(merchantId, mode, amount.Currency), amount.Amount, "refund"),
            new Posting(AccountRef.Clearing(provider, mode, amount.Currency), -amount.Amount),
        ]);

    /// <summary>A refund the provider refused: the money returns to the merchant.</summary>
    public static LedgerEntry RefundReversed(string reference, string merchantId, string provider, Mode mode, Money amount) =>
        new(reference, "refund failed", [
            new Posting(AccountRef.Clearing(provider, mode, amount.Currency), amount.Amount),
            new Posting(AccountRef.Available(merchantId, mode, amount.Currency), -amount.Amount, "refund_reversal"),
        ]);

    /// <summary>A payout is requested: amount and fee move from available to reserved until the provider answers.</summary>
    public static LedgerEntry PayoutReserved(string reference, string merchantId, Mode mode, Money amount, Money fee)
    {
        var postings = new List<Posting>
        {
            new(AccountRef.Available(merchantId, mode, amount.Currency), amount.Amount, "disbursement"),
            new(new AccountRef(AccountKind.MerchantReserved, mode, amount.Currency, merchantId), -(amount + fee).Amount),
        };
        if (fee.IsPositive)
        {
            postings.Add(new Posting(AccountRef.Available(merchantId, mode, amount.Currency), fee.Amount, "fee"));
        }

        return new LedgerEntry(reference, "payout reserved", postings);
    }

    /// <summary>The provider paid out: the reservation leaves through the provider, the fee is earned.</summary>
    public static LedgerEntry PayoutPosted(string reference, string merchantId, string provider, Mode mode, Money amount, Money fee)
    {
        var postings = new List<Posting>
        {
            new(new AccountRef(AccountKind.MerchantReserved, mode, amount.Currency, merchantId), (amount + fee).Amount),
            new(AccountRef.Clearing(provider, mode, amount.Currency), -amount.Amount),
        };
        if (fee.IsPositive)
        {
            postings.Add(new Posting(AccountRef.Fees(mode, amount.Currency), -fee.Amount));
        }

        return new LedgerEntry(reference, "payout posted", postings);
    }

    /// <summary>The provider definitely did not pay out: the reservation returns to available.</summary>
    public static LedgerEntry PayoutReleased(string reference, string merchantId, Mode mode, Money amount, Money fee) =>
        new(reference, "payout released", [
            new Posting(new AccountRef(AccountKind.MerchantReserved, mode, amount.Currency, merchantId), (amount + fee).Amount),
            new Posting(AccountRef.Available(merchantId, mode, amount.Currency), -(amount + fee).Amount, "disbursement_reversal"),
        ]);

    /// <summary>
    /// A payout the provider reported paid came back (the bank returned it): the money is at the
    /// provider again, and the merchant gets back what the payout took, its fee included.
    /// </summary>
    public static LedgerEntry PayoutReversed(string reference, string merchantId, string provider, Mode mode, Money amount, Money fee)
    {
        var postings = new List<Posting>
        {
            new(AccountRef.Clearing(provider, mode, amount.Currency), amount.Amount),
            new(AccountRef.Available(merchantId, mode, amount.Currency), -(amount + fee).Amount, "disbursement_reversal"),
        };
        if (fee.IsPositive)
        {
            postings.Add(new Posting(AccountRef.Fees(mode, amount.Currency), fee.Amount));
        }

        return new LedgerEntry(reference, "payout reversed", postings);
    }
}

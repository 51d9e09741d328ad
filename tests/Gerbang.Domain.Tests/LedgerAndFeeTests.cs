using Gerbang.Domain;
using Gerbang.Domain.Fees;
using Gerbang.Domain.Ledger;

namespace Gerbang.Domain.Tests;

public sealed class LedgerAndFeeTests
{
    [Fact]
    public void A_paid_payment_posts_gross_to_clearing_and_splits_it_between_merchant_and_fees()
    {
        var entry = LedgerEntry.PaymentPaid("payment:pay_1:paid", "mch_1", "simulator", Mode.Test, new Money(150_000, Currency.Idr), new Money(4000, Currency.Idr));
        Assert.Equal(0, entry.Postings.Sum(p => p.Amount));
        Assert.Equal(150_000, entry.Postings.Single(p => p.Account.Kind == AccountKind.ProviderClearing).Amount);
        Assert.Equal(-146_000, entry.Postings.Where(p => p.Account.Kind == AccountKind.MerchantAvailable).Sum(p => p.Amount));
        Assert.Equal(-4000, entry.Postings.Single(p => p.Account.Kind == AccountKind.PlatformFees).Amount);
    }

    [Fact]
    public void An_unbalanced_entry_cannot_be_built()
    {
        var idr = Currency.Idr;
        Assert.Throws<ArgumentException>(() => new LedgerEntry("x", "x",
        [
            new Posting(AccountRef.Clearing("simulator", Mode.Test, idr), 100),
            new Posting(AccountRef.Available("mch_1", Mode.Test, idr), -99),
        ]));
    }

    [Theory]
    [InlineData(0, 70, 150_000, 1050)]
    [InlineData(0, 70, 99, 0)]
    [InlineData(4000, 0, 150_000, 4000)]
    [InlineData(4000, 0, 3000, 3000)]
    [InlineData(500, 70, 10_001, 570)]
    public void Fees_round_down_for_the_merchant_and_never_exceed_the_amount(long flat, int bps, long amount, long expected) =>
        Assert.Equal(expected, new FeeRule(flat, bps).FeeOn(new Money(amount, Currency.Idr)).Amount);
}

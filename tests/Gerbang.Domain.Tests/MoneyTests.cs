using Gerbang.Domain;

namespace Gerbang.Domain.Tests;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(5, 7)]
    [InlineData(7, 5)]
    [InlineData(5, 5)]
    public void Comparing_two_currencies_is_refused_whichever_amount_is_larger(long idr, long usd)
    {
        var a = new Money(idr, Currency.Idr);
        var b = new Money(usd, Currency.Parse("USD"));
        Assert.Throws<InvalidOperationException>(() => a < b);
        Assert.Throws<InvalidOperationException>(() => a > b);
        Assert.Throws<InvalidOperationException>(() => a <= b);
        Assert.Throws<InvalidOperationException>(() => a >= b);
        Assert.Throws<InvalidOperationException>(() => a.CompareTo(b));
        Assert.Throws<InvalidOperationException>(() => Money.Min(a, b));
        Assert.Throws<InvalidOperationException>(() => a - b);
        Assert.True(new Money(5, Currency.Idr) < new Money(7, Currency.Idr));
    }

    [Fact]
    public void Adding_different_currencies_is_refused()
    {
        var idr = new Money(100, Currency.Idr);
        var usd = new Money(100, Currency.Parse("USD"));
        Assert.Throws<InvalidOperationException>(() => idr + usd);
    }

    [Fact]
    public void Overflow_is_refused_rather_than_wrapping()
    {
        var big = new Money(long.MaxValue, Currency.Idr);
        Assert.Throws<OverflowException>(() => big + new Money(1, Currency.Idr));
    }

    [Theory]
    [InlineData("IDR", true)]
    [InlineData("idr", false)]
    [InlineData("XYZ", false)]
    [InlineData("", false)]
    public void Only_known_upper_case_currencies_parse(string code, bool ok) => Assert.Equal(ok, Currency.TryParse(code, out _));

    [Fact]
    public void Ids_carry_their_prefix_and_24_base62_characters()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.New(Ids.Payment)).ToList();
        Assert.All(ids, id => Assert.True(Ids.IsWellFormed(id, Ids.Payment)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.False(Ids.IsWellFormed("pay_short", Ids.Payment));
        Assert.False(Ids.IsWellFormed(Ids.New(Ids.Refund), Ids.Payment));
    }
}

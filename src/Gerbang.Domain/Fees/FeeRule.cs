namespace Gerbang.Domain.Fees;

/// <summary>A fee rule: a flat part plus a percentage in basis points (1 bp = 0.01%).</summary>
public sealed record FeeRule(long Flat, int BasisPoints)
{
    public static FeeRule FlatOnly(long flat) => new(flat, 0);

    /// <summary>
    /// The fee on <paramref name="amount"/>: percentage rounded down (in the merchant's favour) to the
    /// currency's unit, plus the flat part, never more than the amount itself.
    /// </summary>
    public Money FeeOn(Money amount)
    {
        if (Flat < 0 || BasisPoints < 0)
        {
            throw new InvalidOperationException("A fee rule cannot be negative.");
        }

        var percentage = (long)((Int128)amount.Amount * BasisPoints / 10_000);
        var fee = checked(percentage + Flat);
        return new Money(Math.Min(fee, amount.Amount), amount.Currency);
    }
}

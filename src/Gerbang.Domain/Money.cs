namespace Gerbang.Domain;

/// <summary>
/// An amount in a currency's smallest unit on the local rails. Arithmetic and comparison refuse mixed
/// currencies (they throw), arithmetic refuses overflows; there is no conversion to floating point anywhere.
/// </summary>
public readonly record struct Money(long Amount, Currency Currency)
{
    /// <summary>The largest amount a JSON client can carry exactly (2^53 - 1).</summary>
    public const long MaxAmount = 9_007_199_254_740_991;

    public static Money Zero(Currency currency) => new(0, currency);

    public static Money operator +(Money a, Money b) => new(checked(a.Amount + b.Amount), Same(a, b));

    public static Money operator -(Money a, Money b) => new(checked(a.Amount - b.Amount), Same(a, b));

    public static Money operator -(Money a) => new(checked(-a.Amount), a.Currency);

    // The currency is checked before the amounts, whatever they are: 5 IDR is neither less nor more than 7 USD.
    public static bool operator <(Money a, Money b) => Same(a, b) == a.Currency && a.Amount < b.Amount;

    public static bool operator >(Money a, Money b) => Same(a, b) == a.Currency && a.Amount > b.Amount;

    public static bool operator <=(Money a, Money b) => !(a > b);

    public static bool operator >=(Money a, Money b) => !(a < b);

    public Money Add(Money other) => this + other;

    public Money Subtract(Money other) => this - other;

    public Money Negate() => -this;

    public int CompareTo(Money other) => Same(this, other) == Currency ? Amount.CompareTo(other.Amount) : 0;

    public bool IsPositive => Amount > 0;

    public static Money Min(Money a, Money b) => a <= b ? a : b;

    private static Currency Same(Money a, Money b) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new InvalidOperationException($"Cannot combine {a.Currency} with {b.Currency}.");

    public override string ToString() => $"{Amount} {Currency}";
}

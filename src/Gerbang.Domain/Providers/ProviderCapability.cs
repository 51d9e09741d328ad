using Gerbang.Domain.Payments;

namespace Gerbang.Domain.Providers;

/// <summary>
/// One row of a provider's capability table: a method (and for VA the banks) it takes in a currency,
/// within amount limits in minor units. Routing considers only providers with a matching row.
/// </summary>
public sealed record ProviderCapability(PaymentMethod Method, IReadOnlyList<string>? Banks, Currency Currency, long MinAmount, long MaxAmount)
{
    public bool Allows(PaymentMethod method, string? bank, Money amount) =>
        method == Method
        && amount.Currency == Currency
        && amount.Amount >= MinAmount
        && amount.Amount <= MaxAmount
        && (Banks is null || (bank is not null && Banks.Contains(bank)));

    /// <summary>The table answers: can any row take this payment?</summary>
    public static bool AnyAllows(IEnumerable<ProviderCapability> table, PaymentMethod method, string? bank, Money amount) =>
        table.Any(c => c.Allows(method, bank, amount));
}

using Gerbang.Domain;
using Gerbang.Domain.Fees;
using Gerbang.Domain.Payments;

namespace Gerbang.Api.Payments;

public sealed class FeeOptions
{
    public const string Section = "Gerbang:Fees";

    /// <summary>Default fee per method (<c>va</c>, <c>qris</c>): a flat part and basis points.</summary>
    public Dictionary<string, FeeRuleOptions> Defaults { get; set; } = new(StringComparer.Ordinal)
    {
        ["va"] = new() { Flat = 4000 },
        ["qris"] = new() { BasisPoints = 70 },
    };

    /// <summary>The flat fee for paying a merchant out to its bank account.</summary>
    public long Disbursement { get; set; } = 2500;
}

public sealed class FeeRuleOptions
{
    public long Flat { get; set; }

    public int BasisPoints { get; set; }
}

/// <summary>
/// The one place fees come from. A method with no rule cannot be priced: the caller stops the posting
/// and retries later instead of charging zero.
/// </summary>
public sealed class FeeResolver(Microsoft.Extensions.Options.IOptions<FeeOptions> options)
{
    private readonly FeeSchedule _schedule = new(options.Value.Defaults
        .Where(d => PaymentMethods.TryParse(d.Key, out _))
        .ToDictionary(d => { PaymentMethods.TryParse(d.Key, out var m); return m; }, d => new FeeRule(d.Value.Flat, d.Value.BasisPoints)));

    public Money ResolveDisbursement(Money amount) => new FeeRule(options.Value.Disbursement, 0).FeeOn(amount);

    public Money Resolve(string method, Money amount) =>
        PaymentMethods.TryParse(method, out var m) && _schedule.TryResolve(m, amount, out var fee)
            ? fee
            : throw new FeeUnresolvedException($"No fee rule for method '{method}'.");
}

public sealed class FeeUnresolvedException(string message) : Exception(message);

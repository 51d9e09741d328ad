using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;

namespace Gerbang.Api.Routing;

/// <summary>
/// Chooses who takes a payment, best first. Only providers whose capability table allows the method,
/// bank, currency and amount, and that operators have not disabled (for everyone or for this
/// merchant), are candidates. They are ordered by priority; within a priority by a weighted draw in
/// which each weight is scaled by the lane's recent success rate; lanes with an open circuit go last,
/// where their breaker turns them away without a call.
/// </summary>
public sealed class PaymentRouter(ProviderRegistry registry, RoutingSettings settings, ProviderHealth health)
{
    /// <summary>The order providers are tried in when no operator has set a priority: the simulator first in test mode.</summary>
    public static int DefaultPriority(string provider) => provider == Gerbang.Providers.Simulator.SimulatorProvider.ProviderName ? 0 : 10;

    public const int DefaultWeight = 100;

    public IReadOnlyList<IPaymentProvider> Route(Mode mode, string merchantId, PaymentMethod method, string? bank, Money amount, string? pinned)
    {
        var capable = registry.InMode(mode)
            .Where(p => (pinned is null || p.Name == pinned) && ProviderCapability.AnyAllows(p.Capabilities, method, bank, amount))
            .Select(p => (Provider: p, Rule: settings.Rule(p.Name, merchantId)))
            .Where(c => c.Rule is null || (c.Rule.Enabled && (pinned is not null || c.Rule.Weight > 0)))
            .ToList();
        if (capable.Count <= 1)
        {
            return capable.ConvertAll(c => c.Provider);
        }

        return capable
            .Select(c =>
            {
                var key = new HealthKey(mode, c.Provider.Name, method, bank);
                var successRate = health.Snapshot(key).SuccessRate ?? 1.0;
                var weight = (c.Rule?.Weight ?? DefaultWeight) * Math.Max(0.02, successRate);

                // A weighted draw without replacement: sorting by u^(1/w) puts heavier weights first more often.
                var draw = Math.Pow(Random.Shared.NextDouble(), 1.0 / weight);
                return (c.Provider, Open: health.IsResting(key), Priority: c.Rule?.Priority ?? DefaultPriority(c.Provider.Name), Draw: draw);
            })
            .OrderBy(c => c.Open)
            .ThenBy(c => c.Priority)
            .ThenByDescending(c => c.Draw)
            .Select(c => c.Provider)
            .ToList();
    }

    /// <summary>
    /// Who can pay out to <paramref name="bank"/>: providers of the mode that pay out there and that the
    /// operators have not disabled (globally or for this merchant), by priority, then weight.
    /// </summary>
    public IReadOnlyList<IPaymentProvider> RoutePayout(Mode mode, string merchantId, string bank) =>
        registry.InMode(mode)
            .Where(p => p.PayoutBanks.Contains(bank))
            .Select(p => (Provider: p, Rule: settings.Rule(p.Name, merchantId)))
            .Where(c => c.Rule is null || c.Rule.Enabled)
            .OrderBy(c => c.Rule?.Priority ?? DefaultPriority(c.Provider.Name))
            .ThenByDescending(c => c.Rule?.Weight ?? DefaultWeight)
            .ThenBy(c => c.Provider.Name, StringComparer.Ordinal)
            .Select(c => c.Provider)
            .ToList();
}

using Gerbang.Domain;
using Gerbang.Domain.Fees;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Payments;

public sealed class FeeOptions
{
    public const string Section = "Gerbang:Fees";

    /// <summary>Default fee per method (<c>va</c>, <c>qris</c>, <c>card</c>, <c>upi</c>) until an operator sets one in the database.</summary>
    public Dictionary<string, FeeRuleOptions> Defaults { get; set; } = new(StringComparer.Ordinal)
    {
        ["va"] = new() { Flat = 4000 },
        ["qris"] = new() { BasisPoints = 70 },
        ["card"] = new() { BasisPoints = 290, Flat = 2000 },
        ["upi"] = new() { BasisPoints = 50 },
    };

    /// <summary>The default flat fee for paying a merchant out to its bank account.</summary>
    public long Disbursement { get; set; } = 2500;
}

public sealed class FeeRuleOptions
{
    public long Flat { get; set; }

    public int BasisPoints { get; set; }
}

/// <summary>
/// The one place fees come from: the merchant's contracted rule for the method if it has one, else the
/// default; plus the platform margin when enabled; plus the surcharge of a holiday (Jakarta's calendar
/// day). Each part is rounded down to the currency's unit, in the merchant's favour, and the total never
/// exceeds the amount. A method with no rule anywhere cannot be priced, and that stops the posting.
/// Rules are read from the database and kept for a few seconds; a change made here is seen at once.
/// </summary>
public sealed class FeeResolver(NpgsqlDataSource dataSource, IOptions<FeeOptions> options, TimeProvider timeProvider)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Jakarta = TimeSpan.FromHours(7);
    private readonly Lock _gate = new();
    private Snapshot? _snapshot;

    private sealed record Snapshot(
        Dictionary<(string Merchant, string Method), FeeRule> Rules, FeeRule? Margin, Dictionary<DateOnly, FeeRule> Holidays, DateTimeOffset Until);

    public void Forget()
    {
        lock (_gate)
        {
            _snapshot = null;
        }
    }

    public Task<Money> ResolveAsync(string merchantId, string method, Money amount, CancellationToken cancellationToken) =>
        ResolveAsync(merchantId, method, amount, timeProvider.GetUtcNow(), cancellationToken);

    public async Task<Money> ResolveAsync(string merchantId, string method, Money amount, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken);
        var rule = snapshot.Rules.GetValueOrDefault((merchantId, method))
            ?? snapshot.Rules.GetValueOrDefault(("", method))
            ?? ConfiguredDefault(method)
            ?? throw new FeeUnresolvedException($"No fee rule for method '{method}'.");
        var fee = rule.FeeOn(amount).Amount;
        if (snapshot.Margin is { } margin)
        {
            fee = checked(fee + margin.FeeOn(amount).Amount);
        }

        if (snapshot.Holidays.TryGetValue(DateOnly.FromDateTime(at.ToOffset(Jakarta).DateTime), out var holiday))
        {
            fee = checked(fee + holiday.FeeOn(amount).Amount);
        }

        return new Money(Math.Min(fee, amount.Amount), amount.Currency);
    }

    private FeeRule? ConfiguredDefault(string method) =>
        method == "disbursement"
            ? FeeRule.FlatOnly(options.Value.Disbursement)
            : options.Value.Defaults.TryGetValue(method, out var d) ? new FeeRule(d.Flat, d.BasisPoints) : null;

    private async Task<Snapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_snapshot is { } cached && cached.Until > now)
            {
                return cached;
            }
        }

        var rules = new Dictionary<(string, string), FeeRule>();
        FeeRule? margin = null;
        var holidays = new Dictionary<DateOnly, FeeRule>();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select merchant_id, method, flat, basis_points from fee_rules"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select flat, basis_points from platform_margin where enabled"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select day, flat, basis_points from fee_holidays where day >= current_date - 2"));
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rules[(reader.GetString(0), reader.GetString(1))] = new FeeRule(reader.GetInt64(2), reader.GetInt32(3));
            }

            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                margin = new FeeRule(reader.GetInt64(0), reader.GetInt32(1));
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                holidays[reader.GetFieldValue<DateOnly>(0)] = new FeeRule(reader.GetInt64(1), reader.GetInt32(2));
            }
        }

        var snapshot = new Snapshot(rules, margin, holidays, now + CacheFor);
        lock (_gate)
        {
            _snapshot = snapshot;
        }

        return snapshot;
    }
}

public sealed class FeeUnresolvedException(string message) : Exception(message);

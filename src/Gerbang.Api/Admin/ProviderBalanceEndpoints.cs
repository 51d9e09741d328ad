using Gerbang.Api.Http;
using Gerbang.Api.Ledger;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>What each provider holds for Gerbang, and finance's corrections to it (audited, with a reason).</summary>
public static class ProviderBalanceEndpoints
{
    public sealed record ProviderBalanceView(string Object, string Provider, bool Livemode, string Currency, long Balance);

    public static void MapProviderBalances(this RouteGroupBuilder admin)
    {
        var balances = admin.MapGroup("/provider_balances").WithTags("admin ledger");
        balances.MapGet("", ListAsync).RequireAuthorization(AdminRoles.ViewLedger)
            .Doc("listProviderBalances", "List provider balances", "What the ledger says each provider holds, per mode and currency.").Returns<ListQuery.ListView<ProviderBalanceView>>();
        balances.MapPost("/adjustments", AdjustAsync).RequireAuthorization(AdminRoles.AdjustLedger)
            .Doc("adjustProviderBalance", "Adjust a provider balance", "A balanced ledger posting that brings the ledger to what the provider's statement shows.")
            .Body(new ProviderBalanceAdjustmentBody { Provider = "xendit", Livemode = true, Currency = "IDR", Amount = 2500, Reason = "Statement of 2026-11-30" }).Returns<ProviderBalanceView>(201)
            .Fails(400, "reason_required", "currency_invalid", "parameter_out_of_range", "parameter_invalid_integer").Fails(404, "resource_missing");
    }

    private static async Task<List<ProviderBalanceView>> BalancesAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select a.owner, a.mode, a.currency, coalesce(sum(b.balance), 0)::bigint
            from ledger_accounts a left join account_balances b on b.account_id = a.id
            where a.kind = 'provider_clearing' group by a.id order by a.owner, a.mode, a.currency
            """);
        var rows = new List<ProviderBalanceView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ProviderBalanceView("provider_balance", reader.GetString(0), reader.GetString(1) == "live", reader.GetString(2), reader.GetInt64(3)));
        }

        return rows;
    }

    internal static async Task<Result<ListQuery.ListView<ProviderBalanceView>>> ListAsync(NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.View(await BalancesAsync(db, cancellationToken), false, "/admin/v1/provider_balances");

    internal static async Task<Result<ProviderBalanceView>> AdjustAsync(
        Body<ProviderBalanceAdjustmentBody> body, AdminActor actor, NpgsqlDataSource db, LedgerWriter ledger, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var mode = request.Livemode == true ? Mode.Live : Mode.Test;
        var before = (await BalancesAsync(db, cancellationToken)).FirstOrDefault(b => b.Provider == request.Provider && b.Livemode == (mode == Mode.Live) && b.Currency == request.Currency);
        if (before is null)
        {
            return new Refusal(404, "resource_missing", "Gerbang has no balance with that provider in that mode and currency.", "provider");
        }

        var entry = LedgerEntry.ProviderAdjustment($"adjustment:{Ids.New("adj")}", request.Provider, mode, new Money(request.Amount, Currency.Parse(request.Currency)));
        await ledger.PrepareAsync(entry.Postings.Select(p => p.Account), cancellationToken);
        var now = clock.GetUtcNow();
        var after = before with { Balance = before.Balance + request.Amount };
        await using var batch = db.CreateBatch();
        ledger.Add(batch, entry, null, now);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("provider_balance.adjusted", "provider_balance", $"{request.Provider}:{mode.ToWire()}:{request.Currency}", before, after, request.Reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return Result<ProviderBalanceView>.Created(after);
    }
}

public sealed record ProviderBalanceAdjustmentBody : ReasonBody, IRequestBody<ProviderBalanceAdjustmentBody>
{
    [ApiValues(typeof(Payments.CreatePaymentRequest), nameof(Payments.CreatePaymentRequest.KnownProviders))]
    public required string Provider { get; init; }

    [System.ComponentModel.Description("Live (true) or test (false, the default).")]
    public bool? Livemode { get; init; }

    [ApiValues(typeof(Gerbang.Domain.Currency), nameof(Gerbang.Domain.Currency.Codes))]
    public required string Currency { get; init; }

    [System.ComponentModel.Description("Not zero: positive when the provider holds more than the ledger says.")]
    public required long Amount { get; init; }

    public static new ProviderBalanceAdjustmentBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var provider = f.String("provider", required: true, maxLength: 20);
        var livemode = f.Boolean("livemode");
        var currencyText = f.String("currency", required: true, maxLength: 3);
        var amount = f.Integer("amount", -Money.MaxAmount, Money.MaxAmount);
        if (amount is null or 0 && !f.Errors.Any(e => e.Param == "amount"))
        {
            f.Add("amount", "parameter_invalid", "amount is required and not zero: positive when the provider holds more than the ledger says.");
        }

        if (currencyText is not null && !Gerbang.Domain.Currency.TryParse(currencyText, out _))
        {
            f.Add("currency", "currency_invalid", "currency must be an upper-case ISO 4217 code Gerbang supports.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0
            ? null
            : new ProviderBalanceAdjustmentBody { Reason = reason, Provider = provider!, Livemode = livemode, Currency = currencyText!, Amount = amount!.Value };
    }
}

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

    internal static async Task<ApiResponse> ListAsync(HttpContext http, NpgsqlDataSource db) =>
        ListQuery.Answer(await BalancesAsync(db, http.RequestAborted), false, "/admin/v1/provider_balances");

    internal static async Task<ApiResponse> AdjustAsync(HttpContext http, NpgsqlDataSource db, LedgerWriter ledger, AuditLog audit, TimeProvider clock)
    {
        var (f, reason, problem) = await ChangeRequest.ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var provider = f!.String("provider", required: true, maxLength: 20);
        var livemode = f.Boolean("livemode") ?? false;
        var currencyText = f.String("currency", required: true, maxLength: 3);
        var amount = f.Integer("amount", -Money.MaxAmount, Money.MaxAmount);
        if (amount is null or 0)
        {
            f.Add("amount", "parameter_invalid", "amount is required and not zero: positive when the provider holds more than the ledger says.");
        }

        var currency = Currency.Idr;
        if (currencyText is not null && !Currency.TryParse(currencyText, out currency))
        {
            f.Add("currency", "currency_invalid", "currency must be an upper-case ISO 4217 code Gerbang supports.");
        }

        if (ChangeRequest.Check(f) is { } invalid)
        {
            return invalid;
        }

        var mode = livemode ? Mode.Live : Mode.Test;
        var before = (await BalancesAsync(db, http.RequestAborted)).FirstOrDefault(b => b.Provider == provider && b.Livemode == livemode && b.Currency == currency.Code);
        if (before is null)
        {
            return Problems.Create(404, "resource_missing", "Gerbang has no balance with that provider in that mode and currency.", "provider");
        }

        var entry = LedgerEntry.ProviderAdjustment($"adjustment:{Ids.New("adj")}", provider!, mode, new Money(amount!.Value, currency));
        await ledger.PrepareAsync(entry.Postings.Select(p => p.Account), http.RequestAborted);
        var now = clock.GetUtcNow();
        var after = before with { Balance = before.Balance + amount.Value };
        await using var batch = db.CreateBatch();
        ledger.Add(batch, entry, null, now);
        batch.BatchCommands.Add(audit.Command(AdminActor.Of(http), new AuditEntry("provider_balance.adjusted", "provider_balance", $"{provider}:{mode.ToWire()}:{currency.Code}", before, after, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        return ApiResponse.Ok(after, 201);
    }
}

public sealed record ProviderBalanceAdjustmentBody : ReasonBody
{
    [ApiValues(typeof(Payments.CreatePaymentRequest), nameof(Payments.CreatePaymentRequest.KnownProviders))]
    public required string Provider { get; init; }

    [System.ComponentModel.Description("Live (true) or test (false, the default).")]
    public bool? Livemode { get; init; }

    [ApiValues(typeof(Gerbang.Domain.Currency), nameof(Gerbang.Domain.Currency.Codes))]
    public required string Currency { get; init; }

    [System.ComponentModel.Description("Not zero: positive when the provider holds more than the ledger says.")]
    public required long Amount { get; init; }
}

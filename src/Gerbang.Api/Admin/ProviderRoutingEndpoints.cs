using Gerbang.Api.Http;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Routing;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Npgsql;
using Polly.CircuitBreaker;

namespace Gerbang.Api.Admin;

/// <summary>
/// Provider health and routing controls: each provider's capability table, operator settings (global
/// and per merchant) and the live health of each lane seen by this instance; ops and super admins
/// enable, disable, weight and prioritise providers, with a reason on record.
/// </summary>
public static class ProviderRoutingEndpoints
{
    public sealed record CapabilityView(string Method, IReadOnlyList<string>? Banks, string Currency, long MinAmount, long MaxAmount);

    public sealed record OverrideView(string Merchant, bool Enabled, int Weight, int? Priority);

    public sealed record LaneView(bool Livemode, string Method, string? Bank, string Circuit, int Samples, double? SuccessRate, int? LatencyP50Ms, int? LatencyP95Ms);

    public sealed record ProviderView(
        string Object, string Name, IReadOnlyList<string> Modes, bool Enabled, int Weight, int Priority,
        IReadOnlyList<CapabilityView> Capabilities, IReadOnlyList<OverrideView> MerchantOverrides, IReadOnlyList<LaneView> Health);

    public static void MapProviderRouting(this RouteGroupBuilder admin)
    {
        var providers = admin.MapGroup("/providers").WithTags("admin providers");
        providers.MapGet("", List).RequireAuthorization(AdminRoles.ViewOperations)
            .Doc("listProviders", "List providers", "Each provider's routing settings, what it can take, and the health of each of its lanes.").Returns<ListQuery.ListView<ProviderView>>();
        providers.MapPatch("/{name}", PatchAsync).RequireAuthorization(AdminRoles.ManageProviders)
            .Doc("updateProvider", "Change a provider's routing", "Turn it on or off, or change its weight or priority, for everyone or for one merchant.")
            .Body(new ProviderRoutingBody { Enabled = true, Weight = 50, Reason = "Split traffic after the outage" }).Returns<ProviderView>()
            .Fails(400, "reason_required", "parameter_out_of_range", "parameter_invalid_integer").Fails(404, "resource_missing");
    }

    internal static Result<ListQuery.ListView<ProviderView>> List(ProviderRegistry registry, RoutingSettings settings, ProviderHealth health) =>
        ListQuery.View(registry.Names.Select(n => View(n, registry, settings, health)).ToList(), false, "/admin/v1/providers");

    private static ProviderView View(string name, ProviderRegistry registry, RoutingSettings settings, ProviderHealth health)
    {
        var adapters = registry.Named(name).ToList();
        var global = settings.Rule(name, "");
        var capabilities = adapters.Select(a => a.Provider).FirstOrDefault()?.Capabilities
            .Select(c => new CapabilityView(c.Method.ToWire(), c.Banks, c.Currency.Code, c.MinAmount, c.MaxAmount)).ToList() ?? [];
        var overrides = settings.All.Where(r => r.Provider == name && r.MerchantId.Length > 0)
            .OrderBy(r => r.MerchantId, StringComparer.Ordinal)
            .Select(r => new OverrideView(r.MerchantId, r.Enabled, r.Weight, r.Priority)).ToList();
        var lanes = health.Lanes.Where(k => k.Provider == name)
            .OrderBy(k => k.Mode).ThenBy(k => k.Method).ThenBy(k => k.Bank, StringComparer.Ordinal)
            .Select(k =>
            {
                var s = health.Snapshot(k);
                return new LaneView(k.Mode == Mode.Live, k.Method.ToWire(), k.Bank, CircuitName(health.Circuit(k)), s.Samples, s.SuccessRate, s.LatencyP50Ms, s.LatencyP95Ms);
            })
            .ToList();
        return new ProviderView(
            "provider", name, adapters.Select(a => a.Mode.ToWire()).Order(StringComparer.Ordinal).ToList(),
            global?.Enabled ?? true, global?.Weight ?? PaymentRouter.DefaultWeight, global?.Priority ?? PaymentRouter.DefaultPriority(name),
            capabilities, overrides, lanes);
    }

    private static string CircuitName(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "closed",
    };

    internal static async Task<Result<ProviderView>> PatchAsync(
        string name, Body<ProviderRoutingBody> body, AdminActor actor, NpgsqlDataSource db, ProviderRegistry registry, RoutingSettings settings, ProviderHealth health, AuditLog audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!registry.Names.Contains(name, StringComparer.Ordinal))
        {
            return new Refusal(404, "resource_missing", $"No provider named '{name}' is configured.", "name");
        }

        var (enabled, weight, priority, merchant, reason) = (body.Value.Enabled, (int?)body.Value.Weight, (int?)body.Value.Priority, body.Value.Merchant, body.Value.Reason);
        if (merchant is not null)
        {
            await using var exists = db.CreateCommand("select 1 from merchants where id = $1");
            exists.Parameters.Add(new() { Value = merchant });
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return new Refusal(404, "resource_missing", "No such merchant.", "merchant");
            }
        }

        var scope = merchant ?? "";
        var before = settings.Rule(name, scope) is { } r && r.MerchantId == scope ? r : null;
        var after = new RoutingRule(
            name, scope,
            enabled ?? before?.Enabled ?? true,
            weight ?? before?.Weight ?? PaymentRouter.DefaultWeight,
            priority ?? before?.Priority,
            clock.GetUtcNow());
        await using var batch = db.CreateBatch();
        var upsert = new NpgsqlBatchCommand("""
            insert into provider_routing (provider, merchant_id, enabled, weight, priority, updated_at) values ($1, $2, $3, $4, $5, $6)
            on conflict (provider, merchant_id) do update set enabled = excluded.enabled, weight = excluded.weight, priority = excluded.priority, updated_at = excluded.updated_at
            """);
        foreach (var v in new object?[] { name, scope, after.Enabled, after.Weight, after.Priority, after.UpdatedAt })
        {
            upsert.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry("provider.routing_changed", "provider", merchant is null ? name : $"{name}:{merchant}", before, after, reason)));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{RoutingSettings.Channel}', '')"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await settings.ReloadAsync(CancellationToken.None);
        return View(name, registry, settings, health);
    }
}

public sealed record ProviderRoutingBody : ReasonBody, IRequestBody<ProviderRoutingBody>
{
    public bool? Enabled { get; init; }

    [System.ComponentModel.Description("Share of traffic among providers of the same priority (0 to 1000).")]
    [System.ComponentModel.DataAnnotations.Range(0, 1000)]
    public long? Weight { get; init; }

    [System.ComponentModel.Description("Lower is tried first (0 to 100).")]
    [System.ComponentModel.DataAnnotations.Range(0, 100)]
    public long? Priority { get; init; }

    [System.ComponentModel.Description("Change it for this merchant only.")]
    [System.ComponentModel.DataAnnotations.StringLength(64)]
    public string? Merchant { get; init; }

    public static new ProviderRoutingBody? Read(Fields f)
    {
        var reason = ChangeRequest.Reason(f);
        var enabled = f.Boolean("enabled");
        var weight = f.Integer("weight", 0, 1000);
        var priority = f.Integer("priority", 0, 100);
        var merchant = f.String("merchant", required: false, maxLength: 64);
        if (enabled is null && weight is null && priority is null && f.Errors.Count == 0)
        {
            f.Add("enabled", "parameter_missing", "Give at least one of enabled, weight or priority.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new ProviderRoutingBody { Reason = reason, Enabled = enabled, Weight = weight, Priority = priority, Merchant = merchant };
    }
}

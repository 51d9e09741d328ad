using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Routing;

/// <summary>An operator's routing setting for a provider, globally (<see cref="MerchantId"/> empty) or for one merchant.</summary>
public sealed record RoutingRule(string Provider, string MerchantId, bool Enabled, int Weight, int? Priority, DateTimeOffset UpdatedAt);

/// <summary>
/// The routing rules, held in memory for the create path and re-read when any instance changes them
/// (NOTIFY) and every <see cref="RoutingOptions.SettingsRefresh"/> in case a notification was missed.
/// </summary>
public sealed partial class RoutingSettings(NpgsqlDataSource dataSource, IOptions<RoutingOptions> options, ILogger<RoutingSettings> logger) : BackgroundService
{
    public const string Channel = "gerbang_routing";
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private FrozenDictionary<(string Provider, string MerchantId), RoutingRule> _rules = FrozenDictionary<(string, string), RoutingRule>.Empty;

    /// <summary>The rule for a provider, the merchant's own taking precedence over the global one.</summary>
    public RoutingRule? Rule(string provider, string merchantId) =>
        _rules.GetValueOrDefault((provider, merchantId)) ?? _rules.GetValueOrDefault((provider, ""));

    public IEnumerable<RoutingRule> All => _rules.Values;

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rules = new Dictionary<(string, string), RoutingRule>();
        await using var cmd = dataSource.CreateCommand("select provider, merchant_id, enabled, weight, priority, updated_at from provider_routing");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var rule = new RoutingRule(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5));
            rules[(rule.Provider, rule.MerchantId)] = rule;
        }

        _rules = rules.ToFrozenDictionary();
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = Database.PgListener.RunAsync(dataSource, Channel, () => _wake.Release(), reason => LogReloadFailed(logger, reason), stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(options.Value.SettingsRefresh, stoppingToken);
                await ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogReloadFailed(logger, ex.Message);
            }
        }

        await listener;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Routing settings could not be re-read: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}

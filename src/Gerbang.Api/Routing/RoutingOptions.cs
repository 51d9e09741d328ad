namespace Gerbang.Api.Routing;

/// <summary>How provider health is judged. The defaults suit production; tests shorten them.</summary>
public sealed class RoutingOptions
{
    public const string Section = "Gerbang:Routing";

    /// <summary>Share of failed calls within the sampling duration that opens a circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling duration before the ratio counts.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit keeps its provider out before one trial call is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The sliding window behind the success rate and latency shown to operators and used for weighting.</summary>
    public TimeSpan WindowDuration { get; set; } = TimeSpan.FromMinutes(5);

    public int WindowSize { get; set; } = 200;

    /// <summary>How often routing settings are re-read even without a change notification.</summary>
    public TimeSpan SettingsRefresh { get; set; } = TimeSpan.FromSeconds(30);
}

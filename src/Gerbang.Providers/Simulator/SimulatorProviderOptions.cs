using System.ComponentModel.DataAnnotations;

namespace Gerbang.Providers.Simulator;

public sealed class SimulatorProviderOptions
{
    public const string Section = "Providers:Simulator";

    /// <summary>Where the simulator's API lives; unset means the simulator mounted inside Gerbang.</summary>
    public Uri? BaseUrl { get; set; }

    [Required]
    public string ApiKey { get; set; } = "";

    [Required]
    public string WebhookSecret { get; set; } = "";

    /// <summary>How far a notification's timestamp may be from our clock.</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

namespace Gerbang.Simulators.Generic;

public sealed class GenericSimulatorOptions
{
    public const string Section = "Simulators:Generic";

    /// <summary>The API key callers must present as a bearer token.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The secret the simulator signs its notifications with.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>The merchant name printed into QRIS payloads.</summary>
    public string MerchantName { get; set; } = "GERBANG SIMULATOR";
}

using System.Security.Cryptography;
using Gerbang.Domain;

namespace Gerbang.Api.ProviderSetup;

/// <summary>
/// The credentials the in-process simulators and the test-mode adapters that talk to them share, made
/// up once per process. A setting under <c>Simulators:{Name}</c> or <c>Providers:{Name}</c> wins over
/// these. A host may register its own instance (a gateway restarted in a test keeps its providers'
/// credentials, as real providers keep theirs).
/// </summary>
public sealed class SimulatorCredentials
{
    public string GenericApiKey { get; } = "simk_" + Ids.RandomBase62(32);

    public string GenericWebhookSecret { get; } = "sims_" + Ids.RandomBase62(32);

    public string MidtransServerKey { get; } = "SB-Mid-server-" + Ids.RandomBase62(24);

    public string MidtransIrisApiKey { get; } = "IRIS-" + Ids.RandomBase62(32);

    public string MidtransIrisMerchantKey { get; } = "IRIS-merchant-" + Ids.RandomBase62(32);

    public string MidtransIrisApproverKey { get; } = "IRIS-approver-" + Ids.RandomBase62(32);

    public string XenditSecretKey { get; } = "xnd_development_" + Ids.RandomBase62(32);

    public string XenditCallbackToken { get; } = Ids.RandomBase62(40);

    public string StripeSecretKey { get; } = "sk_test_" + Ids.RandomBase62(32);

    public string StripeWebhookSecret { get; } = "whsec_" + Ids.RandomBase62(32);

    public string IpaymuVa { get; } = "000000" + RandomNumberGenerator.GetInt32(1_000_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string IpaymuApiKey { get; } = "SANDBOX-" + Ids.RandomBase62(32);

    public string DokuClientId { get; } = "BRN-0001-" + Ids.RandomBase62(13);

    public string DokuSecretKey { get; } = "SK-" + Ids.RandomBase62(32);

    public string DokuClientSecret { get; } = Ids.RandomBase62(40);

    // Made only when asked for: an install whose DOKU key is configured never pays for an RSA key generation.
    private readonly Lazy<(string Private, string Public)> _dokuKeys = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return (rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem());
    });

    /// <summary>The key pair DOKU's SNAP token requests are signed with: the adapter signs, the simulator checks.</summary>
    public string DokuPrivateKeyPem => _dokuKeys.Value.Private;

    public string DokuPublicKeyPem => _dokuKeys.Value.Public;

    /// <summary>The configured value, or the made-up one when none is configured.</summary>
    public static string Or(string configured, string madeUp) => string.IsNullOrEmpty(configured) ? madeUp : configured;
}

using System.Net.Http.Headers;
using System.Text;
using Gerbang.Domain;

namespace Gerbang.Providers.Http;

/// <summary>
/// Keeps test and live apart at the provider boundary. Providers mark the difference either by host
/// (Midtrans, DOKU and iPaymu have separate sandbox and production hosts) or by key (Xendit and Stripe
/// share one host and tell test from live by the key's prefix). A test-mode adapter may not be
/// configured with, and can never send a request to, a production host or with a live key; a live
/// adapter likewise never touches a sandbox host or a test key, and never starts without its secrets.
/// </summary>
public static class ProviderModeRules
{
    /// <summary>Each provider's production API, the default base URL of its live adapter.</summary>
    public static IReadOnlyDictionary<string, Uri> Production { get; } = new Dictionary<string, Uri>(StringComparer.Ordinal)
    {
        ["midtrans"] = new("https://api.midtrans.com/"),
        ["xendit"] = new("https://api.xendit.co/"),
        ["doku"] = new("https://api.doku.com/"),
        ["ipaymu"] = new("https://my.ipaymu.com/"),
        ["stripe"] = new("https://api.stripe.com/"),
    };

    private static readonly string[] LiveOnlyHosts = ["api.midtrans.com", "app.midtrans.com", "api.doku.com", "my.ipaymu.com"];
    private static readonly string[] TestOnlyHosts = ["api.sandbox.midtrans.com", "app.sandbox.midtrans.com", "api-sandbox.doku.com", "sandbox.ipaymu.com"];
    private static readonly string[] LiveKeyPrefixes = ["xnd_production_", "sk_live_", "rk_live_", "Mid-server-"];
    private static readonly string[] TestKeyPrefixes = ["xnd_development_", "sk_test_", "rk_test_", "SB-Mid-server-"];

    /// <summary>Why <paramref name="host"/> is not for <paramref name="mode"/>, or null when it may be used.</summary>
    public static string? HostProblem(Mode mode, string host) =>
        mode == Mode.Test && LiveOnlyHosts.Contains(host, StringComparer.OrdinalIgnoreCase) ? $"{host} is a production host and this adapter is in test mode"
        : mode == Mode.Live && TestOnlyHosts.Contains(host, StringComparer.OrdinalIgnoreCase) ? $"{host} is a sandbox host and this adapter is in live mode"
        : null;

    /// <summary>Why a key is not for <paramref name="mode"/>, or null. Never echoes the key.</summary>
    public static string? KeyProblem(Mode mode, string? key) =>
        string.IsNullOrEmpty(key) ? null
        : mode == Mode.Test && LiveKeyPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) ? "a live key is configured on a test-mode adapter"
        : mode == Mode.Live && TestKeyPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) ? "a test key is configured on a live adapter"
        : null;

    /// <summary>
    /// Checks an adapter's configuration before it is used: base URL, keys, and in live mode that no
    /// secret is empty. Throws with the provider and setting named, never the secret's value.
    /// </summary>
    public static void Validate(Mode mode, string provider, Uri? baseUrl, IReadOnlyDictionary<string, string?> secrets)
    {
        if (baseUrl is not null && HostProblem(mode, baseUrl.Host) is { } hostProblem)
        {
            throw new ProviderModeViolationException($"Provider {provider}: {hostProblem}.");
        }

        foreach (var (setting, value) in secrets)
        {
            if (mode == Mode.Live && string.IsNullOrWhiteSpace(value))
            {
                throw new ProviderModeViolationException($"Gerbang refuses to start: the live {provider} adapter has no {setting}.");
            }

            if (KeyProblem(mode, value) is { } keyProblem)
            {
                throw new ProviderModeViolationException($"Provider {provider} ({setting}): {keyProblem}.");
            }
        }
    }
}

/// <summary>A request or a configuration that would cross from test to live, or back.</summary>
public sealed class ProviderModeViolationException(string message) : InvalidOperationException(message);

/// <summary>
/// The last handler before the network on every provider client: a request for the wrong mode's
/// host, or carrying the wrong mode's key, is stopped before any connection is opened.
/// </summary>
public sealed class ProviderModeGuard(Mode mode) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && ProviderModeRules.HostProblem(mode, uri.Host) is { } hostProblem)
        {
            throw new ProviderModeViolationException($"Refused to send: {hostProblem}.");
        }

        if (ProviderModeRules.KeyProblem(mode, PresentedKey(request.Headers.Authorization)) is { } keyProblem)
        {
            throw new ProviderModeViolationException($"Refused to send: {keyProblem}.");
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static string? PresentedKey(AuthenticationHeaderValue? authorization)
    {
        if (authorization?.Parameter is not { } parameter)
        {
            return null;
        }

        if (authorization.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                return pair.Split(':', 2)[0];
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return parameter;
    }
}

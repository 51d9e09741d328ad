using Gerbang.Domain;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Testing;

namespace Gerbang.Api.ProviderSetup;

/// <summary>
/// The providers each mode may reach. Test mode holds only adapters whose base URLs point at a
/// simulator, so a test key has no path to a real provider: there is nothing else to route to.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<(Mode, string), IPaymentProvider> _providers = [];
    private readonly Dictionary<string, IProviderTestControl> _testControls = new(StringComparer.Ordinal);

    public void Add(Mode mode, IPaymentProvider provider) => _providers[(mode, provider.Name)] = provider;

    public void AddTestControl(IProviderTestControl control) => _testControls[control.Provider] = control;

    public IPaymentProvider? Find(Mode mode, string name) => _providers.GetValueOrDefault((mode, name));

    public IEnumerable<(Mode Mode, IPaymentProvider Provider)> Named(string name) =>
        _providers.Where(p => p.Key.Item2 == name).Select(p => (p.Key.Item1, p.Value));

    /// <summary>Test-mode control of the simulator behind <paramref name="provider"/>; none in live mode.</summary>
    public IProviderTestControl? TestControl(Mode mode, string provider) =>
        mode == Mode.Test ? _testControls.GetValueOrDefault(provider) : null;

    /// <summary>Every provider reachable in <paramref name="mode"/>.</summary>
    public IEnumerable<IPaymentProvider> InMode(Mode mode) => _providers.Where(p => p.Key.Item1 == mode).Select(p => p.Value);

    /// <summary>Every provider name known in any mode.</summary>
    public IEnumerable<string> Names => _providers.Keys.Select(k => k.Item2).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}

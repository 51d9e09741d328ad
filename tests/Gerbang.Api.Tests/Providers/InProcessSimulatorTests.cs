using Gerbang.Api.ProviderSetup;
using Microsoft.Extensions.Configuration;

namespace Gerbang.Api.Tests.Providers;

/// <summary>Where the simulators inside Gerbang are mounted: by default on a test install, not on one with live providers.</summary>
public sealed class InProcessSimulatorTests
{
    private static bool Mounted(params (string Key, string Value)[] settings) =>
        ProviderServices.InProcessSimulators(new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build());

    [Fact]
    public void A_test_install_uses_them_a_production_install_does_not_unless_told()
    {
        Assert.True(Mounted());
        Assert.False(Mounted(("Providers:Live:Xendit:SecretKey", "xnd_production_x")));
        Assert.True(Mounted(("Providers:Live:Xendit:SecretKey", "xnd_production_x"), ("Gerbang:Simulators:InProcess", "true")));
        Assert.False(Mounted(("Gerbang:Simulators:InProcess", "false")));
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gerbang.Simulators;

/// <summary>
/// Runs the provider simulators as their own process, for load and fault tests:
/// <c>dotnet run --project src/Gerbang.Simulators -- --urls http://127.0.0.1:9090</c>
/// with <c>Simulators__Generic__ApiKey</c> and <c>Simulators__Generic__WebhookSecret</c> set.
/// </summary>
public static class SimulatorProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddSimulators(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        app.MapSimulators("/");
        await app.RunAsync();
    }
}

using Gerbang.Simulators.Generic;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Simulators;

public static class SimulatorServices
{
    /// <summary>Registers every simulated provider's state. Options come from the <c>Simulators</c> section.</summary>
    public static IServiceCollection AddSimulators(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.Configure<GenericSimulatorOptions>(configuration.GetSection(GenericSimulatorOptions.Section));
        services.Configure<Midtrans.MidtransSimulatorOptions>(configuration.GetSection(Midtrans.MidtransSimulatorOptions.Section));
        services.AddSingleton<Midtrans.MidtransSimulatorState>();
        services.Configure<Xendit.XenditSimulatorOptions>(configuration.GetSection(Xendit.XenditSimulatorOptions.Section));
        services.AddSingleton<Xendit.XenditSimulatorState>();
        services.Configure<Stripe.StripeSimulatorOptions>(configuration.GetSection(Stripe.StripeSimulatorOptions.Section));
        services.AddSingleton<Stripe.StripeSimulatorState>();
        services.Configure<Ipaymu.IpaymuSimulatorOptions>(configuration.GetSection(Ipaymu.IpaymuSimulatorOptions.Section));
        services.AddSingleton<Ipaymu.IpaymuSimulatorState>();
        services.Configure<Doku.DokuSimulatorOptions>(configuration.GetSection(Doku.DokuSimulatorOptions.Section));
        services.AddSingleton<Doku.DokuSimulatorState>();
        services.AddSingleton<GenericSimulatorState>();
        services.AddSingleton<GenericNotifier>();
        services.AddHttpClient(GenericNotifier.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHttpClient();
        return services;
    }

    /// <summary>Mounts every simulated provider under <paramref name="prefix"/> (<c>/simulator</c> for the generic one).</summary>
    public static void MapSimulators(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder routes, string prefix)
    {
        routes.MapGenericSimulator(prefix.TrimEnd('/') + "/simulator");
        Midtrans.MidtransSimulator.MapMidtransSimulator(routes, prefix.TrimEnd('/') + "/midtrans");
        Xendit.XenditSimulator.MapXenditSimulator(routes, prefix.TrimEnd('/') + "/xendit");
        Stripe.StripeSimulator.MapStripeSimulator(routes, prefix.TrimEnd('/') + "/stripe");
        Ipaymu.IpaymuSimulator.MapIpaymuSimulator(routes, prefix.TrimEnd('/') + "/ipaymu");
        Doku.DokuSimulator.MapDokuSimulator(routes, prefix.TrimEnd('/') + "/doku");
    }
}

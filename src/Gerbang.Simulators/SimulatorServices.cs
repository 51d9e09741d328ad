using System.Text.Json.Nodes;
using Gerbang.Simulators.Generic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gerbang.Simulators;

public static class SimulatorServices
{
    /// <summary>
    /// Registers every simulated provider's state, unless the host brings its own (state that outlives a
    /// gateway restart, as a real provider's does). Options come from the <c>Simulators</c> section.
    /// </summary>
    public static IServiceCollection AddSimulators(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.Configure<GenericSimulatorOptions>(configuration.GetSection(GenericSimulatorOptions.Section));
        services.Configure<Midtrans.MidtransSimulatorOptions>(configuration.GetSection(Midtrans.MidtransSimulatorOptions.Section));
        services.TryAddSingleton<Midtrans.MidtransSimulatorState>();
        services.Configure<Xendit.XenditSimulatorOptions>(configuration.GetSection(Xendit.XenditSimulatorOptions.Section));
        services.TryAddSingleton<Xendit.XenditSimulatorState>();
        services.Configure<Stripe.StripeSimulatorOptions>(configuration.GetSection(Stripe.StripeSimulatorOptions.Section));
        services.TryAddSingleton<Stripe.StripeSimulatorState>();
        services.Configure<Ipaymu.IpaymuSimulatorOptions>(configuration.GetSection(Ipaymu.IpaymuSimulatorOptions.Section));
        services.TryAddSingleton<Ipaymu.IpaymuSimulatorState>();
        services.Configure<Doku.DokuSimulatorOptions>(configuration.GetSection(Doku.DokuSimulatorOptions.Section));
        services.TryAddSingleton<Doku.DokuSimulatorState>();
        services.TryAddSingleton<GenericSimulatorState>();
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

        // A route the provider does not have is answered in that provider's own error shape, as the
        // provider answers it, never with an empty 404 or 405.
        var root = prefix.TrimEnd('/');
        Unknown(routes, root + "/simulator", new JsonObject { ["error"] = "not_found", ["message"] = "no such route" });
        Unknown(routes, root + "/midtrans", new JsonObject { ["status_code"] = "404", ["status_message"] = "The requested resource is not found" });
        Unknown(routes, root + "/xendit", new JsonObject { ["error_code"] = "NOT_FOUND", ["message"] = "The requested resource was not found" });
        Unknown(routes, root + "/stripe", new JsonObject { ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["message"] = "Unrecognized request URL. Please see https://stripe.com/docs or we can help at https://support.stripe.com/." } });
        Unknown(routes, root + "/ipaymu", new JsonObject { ["Status"] = 404, ["Success"] = false, ["Message"] = "Not found", ["Data"] = null });
        Unknown(routes, root + "/doku", new JsonObject { ["error"] = new JsonObject { ["code"] = "not_found", ["message"] = "Resource not found" } });
    }

    private static void Unknown(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder routes, string prefix, JsonObject body) =>
        routes.MapFallback(prefix + "/{**rest}", () => Results.Json(body, statusCode: 404)).ExcludeFromDescription();
}

namespace Gerbang.Api.Routing;

public static class RoutingServices
{
    public static IServiceCollection AddRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.Section));
        services.AddSingleton<ProviderHealth>();
        services.AddSingleton<RoutingSettings>();
        services.AddHostedService(sp => sp.GetRequiredService<RoutingSettings>());
        services.AddSingleton<PaymentRouter>();
        return services;
    }
}

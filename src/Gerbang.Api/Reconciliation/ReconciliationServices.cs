namespace Gerbang.Api.Reconciliation;

public static class ReconciliationServices
{
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddSingleton<Reconciler>();
        services.AddSingleton<Jobs.IJobHandler, ReconciliationJob>();
        services.AddSingleton<ReconciliationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ReconciliationScheduler>());
        return services;
    }
}

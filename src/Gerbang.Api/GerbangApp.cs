using Gerbang.Api.Admin;
using Gerbang.Api.Checkout;
using Gerbang.Api.Dashboard;
using Gerbang.Api.Database;
using Gerbang.Api.Disbursements;
using Gerbang.Api.Health;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Ledger;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderCallbacks;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Reconciliation;
using Gerbang.Api.Refunds;
using Gerbang.Api.Routing;
using Gerbang.Api.Streams;
using Gerbang.Api.Webhooks;
using Gerbang.Simulators;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gerbang.Api;

/// <summary>The gateway, assembled: one Add and one Map per feature, in the order requests meet them.</summary>
public static class GerbangApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files ship beside the binary; relative paths in settings (the data directory) stay relative to where Gerbang is started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://localhost:8080");
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.TryAddSingleton(TimeProvider.System);
        await builder.AddGerbangDatabaseAsync();

        var services = builder.Services;
        services.AddSingleton(SecretBox.FromConfiguration(builder.Configuration));
        services.AddSingleton<GerbangUrls>();
        services.AddSingleton<Idempotency>();
        services.AddSingleton<IdempotencyRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<IdempotencyRetention>());
        services.AddSingleton<MerchantAuthenticator>();
        // The embedded development install (no database configured) lets test-mode webhooks reach this machine.
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString("Gerbang")))
        {
            builder.Configuration[WebhookDispatcherOptions.Section + ":AllowLoopbackInTestMode"] ??= "true";
        }

        services.AddOptions<WebhookDispatcherOptions>().Bind(builder.Configuration.GetSection(WebhookDispatcherOptions.Section));
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => SsrfGuard.Handler(sp.GetRequiredService<IHostResolver>()))
            .RemoveAllLoggers();
        services.AddTrustedProxies(builder.Configuration);
        services.AddGerbangRateLimits(builder.Configuration);
        Admin.FourEyesOptions.Validate(builder.Configuration);
        services.AddAdmin();
        services.AddDashboard();
        services.AddLedger();
        services.AddProviders(builder.Configuration);
        services.AddRouting(builder.Configuration);
        services.AddReconciliation();
        services.AddPayments(builder.Configuration);
        services.AddProviderCallbacks();
        services.AddWebhooks();
        services.AddEventStreams(builder.Configuration);
        services.AddRefunds();
        services.AddDisbursements(builder.Configuration);
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        services.AddSimulators(builder.Configuration);
        services.AddHttpContextAccessor();
        services.AddApiDocument(WebhookDocument.DescribeAsync);

        var app = builder.Build();
        await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        await app.Services.GetRequiredService<AdminBootstrap>().RunAsync(CancellationToken.None);

        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseRequestIds();
        app.UseGerbangErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMerchantAuthentication();

        app.MapHealth();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Gerbang v1");
            o.RoutePrefix = "docs";
        });
        app.MapAdmin();
        app.MapProviderCallbacks();
        app.MapCheckoutPages();
        app.MapDashboard();
        var v1 = app.MapMerchantApi();
        v1.MapMerchantSelf();
        v1.MapPayments();
        v1.MapRefunds();
        v1.MapDisbursements();
        v1.MapBalance();
        v1.MapWebhookEndpoints();
        v1.MapEventStream();
        v1.MapCheckoutSessions();
        v1.MapEvents();
        if (ProviderServices.InProcessSimulators(app.Configuration))
        {
            app.MapSimulators(ProviderServices.SimulatorMount);
        }

        return app;
    }
}

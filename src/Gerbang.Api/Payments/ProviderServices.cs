using Gerbang.Api.Http;
using Gerbang.Domain;
using Gerbang.Domain.Providers;
using Gerbang.Providers.Doku;
using Gerbang.Providers.Http;
using Gerbang.Providers.Ipaymu;
using Gerbang.Providers.Midtrans;
using Gerbang.Providers.Simulator;
using Gerbang.Providers.Stripe;
using Gerbang.Providers.Testing;
using Gerbang.Providers.Xendit;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Payments;

public static class ProviderServices
{
    public const string SimulatorMount = "/_sim";

    /// <summary>
    /// Registers the adapters per mode. In test mode every adapter's base URL is a simulator, by
    /// construction here; live adapters are added only with their own configured credentials.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration)
    {
        // The in-process simulator and the adapter that talks to it share credentials made up per process.
        configuration["Simulators:Generic:ApiKey"] ??= "simk_" + Ids.RandomBase62(32);
        configuration["Simulators:Generic:WebhookSecret"] ??= "sims_" + Ids.RandomBase62(32);
        configuration["Providers:Simulator:ApiKey"] ??= configuration["Simulators:Generic:ApiKey"];
        configuration["Providers:Simulator:WebhookSecret"] ??= configuration["Simulators:Generic:WebhookSecret"];
        configuration["Simulators:Midtrans:ServerKey"] ??= "SB-Mid-server-" + Ids.RandomBase62(24);
        configuration["Providers:Midtrans:ServerKey"] ??= configuration["Simulators:Midtrans:ServerKey"];
        configuration["Simulators:Midtrans:IrisApiKey"] ??= "IRIS-" + Ids.RandomBase62(32);
        configuration["Simulators:Midtrans:IrisMerchantKey"] ??= "IRIS-merchant-" + Ids.RandomBase62(32);
        configuration["Providers:Midtrans:IrisApiKey"] ??= configuration["Simulators:Midtrans:IrisApiKey"];
        configuration["Providers:Midtrans:IrisMerchantKey"] ??= configuration["Simulators:Midtrans:IrisMerchantKey"];
        configuration["Simulators:Midtrans:IrisApproverKey"] ??= "IRIS-approver-" + Ids.RandomBase62(32);
        configuration["Providers:Midtrans:IrisApproverKey"] ??= configuration["Simulators:Midtrans:IrisApproverKey"];
        services.AddOptions<MidtransOptions>().Bind(configuration.GetSection(MidtransOptions.Section));
        configuration["Simulators:Xendit:SecretKey"] ??= "xnd_development_" + Ids.RandomBase62(32);
        configuration["Simulators:Xendit:CallbackToken"] ??= Ids.RandomBase62(40);
        configuration["Providers:Xendit:SecretKey"] ??= configuration["Simulators:Xendit:SecretKey"];
        configuration["Providers:Xendit:CallbackToken"] ??= configuration["Simulators:Xendit:CallbackToken"];
        services.AddOptions<XenditOptions>().Bind(configuration.GetSection(XenditOptions.Section));
        AddProviderClient(services, "provider-xendit", sp => sp.GetRequiredService<IOptions<XenditOptions>>().Value.BaseUrl, "/xendit", sp => sp.GetRequiredService<IOptions<XenditOptions>>().Value.Timeout, null);
        AddProviderClient(services, "provider-xendit-control", sp => sp.GetRequiredService<IOptions<XenditOptions>>().Value.BaseUrl, "/xendit", _ => TimeSpan.FromSeconds(30),
            sp => XenditSignature.BasicAuth(sp.GetRequiredService<IOptions<XenditOptions>>().Value.SecretKey));
        configuration["Simulators:Stripe:SecretKey"] ??= "sk_test_" + Ids.RandomBase62(32);
        configuration["Simulators:Stripe:WebhookSecret"] ??= "whsec_" + Ids.RandomBase62(32);
        configuration["Providers:Stripe:SecretKey"] ??= configuration["Simulators:Stripe:SecretKey"];
        configuration["Providers:Stripe:WebhookSecret"] ??= configuration["Simulators:Stripe:WebhookSecret"];
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section));
        AddProviderClient(services, "provider-stripe", sp => sp.GetRequiredService<IOptions<StripeOptions>>().Value.BaseUrl, "/stripe", sp => sp.GetRequiredService<IOptions<StripeOptions>>().Value.Timeout, null);
        AddProviderClient(services, "provider-stripe-control", sp => sp.GetRequiredService<IOptions<StripeOptions>>().Value.BaseUrl, "/stripe", _ => TimeSpan.FromSeconds(30),
            sp => "Bearer " + sp.GetRequiredService<IOptions<StripeOptions>>().Value.SecretKey);
        configuration["Simulators:Ipaymu:Va"] ??= "000000" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(1_000_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        configuration["Simulators:Ipaymu:ApiKey"] ??= "SANDBOX-" + Ids.RandomBase62(32);
        configuration["Providers:Ipaymu:Va"] ??= configuration["Simulators:Ipaymu:Va"];
        configuration["Providers:Ipaymu:ApiKey"] ??= configuration["Simulators:Ipaymu:ApiKey"];
        services.AddOptions<IpaymuOptions>().Bind(configuration.GetSection(IpaymuOptions.Section));
        AddProviderClient(services, "provider-ipaymu", sp => sp.GetRequiredService<IOptions<IpaymuOptions>>().Value.BaseUrl, "/ipaymu", sp => sp.GetRequiredService<IOptions<IpaymuOptions>>().Value.Timeout, null);
        AddProviderClient(services, "provider-ipaymu-control", sp => sp.GetRequiredService<IOptions<IpaymuOptions>>().Value.BaseUrl, "/ipaymu", _ => TimeSpan.FromSeconds(30),
            sp => Basic(sp.GetRequiredService<IOptions<IpaymuOptions>>().Value.Va, sp.GetRequiredService<IOptions<IpaymuOptions>>().Value.ApiKey));
        if (configuration["Providers:Doku:PrivateKeyPem"] is null)
        {
            // A key pair per process: the adapter signs its SNAP token requests, the simulator checks them.
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            configuration["Providers:Doku:PrivateKeyPem"] = rsa.ExportPkcs8PrivateKeyPem();
            configuration["Simulators:Doku:MerchantPublicKeyPem"] ??= rsa.ExportSubjectPublicKeyInfoPem();
        }

        configuration["Simulators:Doku:ClientId"] ??= "BRN-0001-" + Ids.RandomBase62(13);
        configuration["Simulators:Doku:SecretKey"] ??= "SK-" + Ids.RandomBase62(32);
        configuration["Simulators:Doku:ClientSecret"] ??= Ids.RandomBase62(40);
        configuration["Providers:Doku:ClientId"] ??= configuration["Simulators:Doku:ClientId"];
        configuration["Providers:Doku:SecretKey"] ??= configuration["Simulators:Doku:SecretKey"];
        configuration["Providers:Doku:ClientSecret"] ??= configuration["Simulators:Doku:ClientSecret"];
        configuration["Providers:Doku:QrisMerchantId"] ??= "000000000000001";
        configuration["Providers:Doku:QrisTerminalId"] ??= "A01";
        services.AddOptions<DokuOptions>().Bind(configuration.GetSection(DokuOptions.Section));
        AddProviderClient(services, "provider-doku", sp => sp.GetRequiredService<IOptions<DokuOptions>>().Value.BaseUrl, "/doku", sp => sp.GetRequiredService<IOptions<DokuOptions>>().Value.Timeout, null);
        AddProviderClient(services, "provider-doku-control", sp => sp.GetRequiredService<IOptions<DokuOptions>>().Value.BaseUrl, "/doku", _ => TimeSpan.FromSeconds(30),
            sp => Basic(sp.GetRequiredService<IOptions<DokuOptions>>().Value.ClientId, sp.GetRequiredService<IOptions<DokuOptions>>().Value.SecretKey));
        AddProviderClient(services, "provider-midtrans", sp => sp.GetRequiredService<IOptions<MidtransOptions>>().Value.BaseUrl, "/midtrans", sp => sp.GetRequiredService<IOptions<MidtransOptions>>().Value.Timeout, null);
        AddProviderClient(services, "provider-midtrans-control", sp => sp.GetRequiredService<IOptions<MidtransOptions>>().Value.BaseUrl, "/midtrans", _ => TimeSpan.FromSeconds(30),
            sp => MidtransSignature.BasicAuth(sp.GetRequiredService<IOptions<MidtransOptions>>().Value.ServerKey));

        services.AddOptions<SimulatorProviderOptions>().Bind(configuration.GetSection(SimulatorProviderOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FeeOptions>().Bind(configuration.GetSection(FeeOptions.Section));
        services.AddSingleton<FeeResolver>();
        services.AddHttpClient("provider-simulator", (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<SimulatorProviderOptions>>().Value;
                var baseUrl = options.BaseUrl?.ToString() ?? SelfAddressHandler.Placeholder + SimulatorMount + "/simulator";
                client.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
                client.Timeout = options.Timeout;
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.ApiKey);
            })
            .AddHttpMessageHandler(sp => new SelfAddressHandler(sp.GetRequiredService<GerbangUrls>()))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();

        services.AddOptions<Routing.RoutingOptions>().Bind(configuration.GetSection(Routing.RoutingOptions.Section));
        services.AddSingleton<Routing.ProviderHealth>();
        services.AddSingleton<Routing.RoutingSettings>();
        services.AddHostedService(sp => sp.GetRequiredService<Routing.RoutingSettings>());
        services.AddSingleton<Routing.PaymentRouter>();
        services.AddSingleton<Jobs.IJobHandler, AttemptWithdrawal>();

        ValidateTestMode(configuration);
        var live = AddLiveProviders(services, configuration);
        services.AddSingleton(sp =>
        {
            var registry = new ProviderRegistry();
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            registry.Add(Mode.Test, new SimulatorProvider(factory.CreateClient("provider-simulator"), sp.GetRequiredService<IOptions<SimulatorProviderOptions>>(), sp.GetRequiredService<TimeProvider>()));
            registry.AddTestControl(new SimulatorTestControl(factory.CreateClient("provider-simulator")));
            registry.Add(Mode.Test, new MidtransProvider(factory.CreateClient("provider-midtrans"), sp.GetRequiredService<IOptions<MidtransOptions>>()));
            registry.AddTestControl(new ProviderSimulatorControl(MidtransProvider.ProviderName, factory.CreateClient("provider-midtrans-control")));
            registry.Add(Mode.Test, new XenditProvider(factory.CreateClient("provider-xendit"), sp.GetRequiredService<IOptions<XenditOptions>>()));
            registry.AddTestControl(new ProviderSimulatorControl(XenditProvider.ProviderName, factory.CreateClient("provider-xendit-control")));
            registry.Add(Mode.Test, new StripeProvider(factory.CreateClient("provider-stripe"), sp.GetRequiredService<IOptions<StripeOptions>>(), sp.GetRequiredService<TimeProvider>()));
            registry.AddTestControl(new ProviderSimulatorControl(StripeProvider.ProviderName, factory.CreateClient("provider-stripe-control")));
            registry.Add(Mode.Test, new IpaymuProvider(factory.CreateClient("provider-ipaymu"), sp.GetRequiredService<IOptions<IpaymuOptions>>(), sp.GetRequiredService<TimeProvider>()));
            registry.AddTestControl(new ProviderSimulatorControl(IpaymuProvider.ProviderName, factory.CreateClient("provider-ipaymu-control")));
            registry.Add(Mode.Test, new DokuProvider(factory.CreateClient("provider-doku"), sp.GetRequiredService<IOptions<DokuOptions>>(), sp.GetRequiredService<TimeProvider>()));
            registry.AddTestControl(new ProviderSimulatorControl(DokuProvider.ProviderName, factory.CreateClient("provider-doku-control")));
            foreach (var (name, create) in live)
            {
                registry.Add(Mode.Live, create(sp, factory.CreateClient("provider-" + name + "-live")));
            }

            return registry;
        });
        return services;
    }

    /// <summary>A provider's HTTP client: its configured base URL, or in test mode its simulator inside Gerbang.</summary>
    private static void AddProviderClient(IServiceCollection services, string name, Func<IServiceProvider, Uri?> baseUrl, string simulatorPath, Func<IServiceProvider, TimeSpan> timeout, Func<IServiceProvider, string>? authorization)
    {
        services.AddHttpClient(name, (sp, client) =>
            {
                var url = baseUrl(sp)?.ToString() ?? SelfAddressHandler.Placeholder + SimulatorMount + simulatorPath;
                client.BaseAddress = new Uri(url.TrimEnd('/') + "/");
                client.Timeout = timeout(sp);
                if (authorization is not null)
                {
                    client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization(sp));
                }
            })
            .AddHttpMessageHandler(sp => new SelfAddressHandler(sp.GetRequiredService<GerbangUrls>()))
            .AddHttpMessageHandler(() => new ProviderModeGuard(Mode.Test))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
    }

    /// <summary>The Basic credentials of a simulator's control API (not the provider's own scheme).</summary>
    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":" + password));

    /// <summary>The test-mode adapters' settings may name neither a production host nor a live key.</summary>
    private static void ValidateTestMode(IConfiguration configuration)
    {
        foreach (var (name, section, keys) in Secrets)
        {
            var c = configuration.GetSection("Providers:" + section);
            ProviderModeRules.Validate(Mode.Test, name, Uri.TryCreate(c["BaseUrl"], UriKind.Absolute, out var url) ? url : null, keys.ToDictionary(k => k, k => c[k]));
        }
    }

    /// <summary>Each provider's options section and the settings that are secrets (empty ones refuse a live start).</summary>
    private static readonly (string Name, string Section, string[] Keys)[] Secrets =
    [
        (MidtransProvider.ProviderName, "Midtrans", ["ServerKey"]),
        (XenditProvider.ProviderName, "Xendit", ["SecretKey", "CallbackToken"]),
        (StripeProvider.ProviderName, "Stripe", ["SecretKey", "WebhookSecret"]),
        (IpaymuProvider.ProviderName, "Ipaymu", ["Va", "ApiKey"]),
        (DokuProvider.ProviderName, "Doku", ["ClientId", "SecretKey", "ClientSecret", "PrivateKeyPem"]),
    ];

    /// <summary>
    /// Live adapters, one per provider configured under <c>Providers:Live:{Name}</c>, each with its own
    /// credentials and client (production URL unless set). Checked here, at start: an empty secret, a
    /// sandbox host or a test key stops Gerbang from starting.
    /// </summary>
    private static List<(string Name, Func<IServiceProvider, HttpClient, IPaymentProvider> Create)> AddLiveProviders(IServiceCollection services, IConfiguration configuration)
    {
        var live = new List<(string, Func<IServiceProvider, HttpClient, IPaymentProvider>)>();
        foreach (var (name, section, keys) in Secrets)
        {
            var c = configuration.GetSection("Providers:Live:" + section);
            if (!c.Exists())
            {
                continue;
            }

            var baseUrl = Uri.TryCreate(c["BaseUrl"], UriKind.Absolute, out var configured) ? configured : ProviderModeRules.Production[name];
            ProviderModeRules.Validate(Mode.Live, name, baseUrl, keys.ToDictionary(k => k, k => c[k]));
            var timeout = TimeSpan.TryParse(c["Timeout"], System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : TimeSpan.FromSeconds(15);
            services.AddHttpClient("provider-" + name + "-live", client =>
                {
                    client.BaseAddress = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
                    client.Timeout = timeout;
                })
                .AddHttpMessageHandler(() => new ProviderModeGuard(Mode.Live))
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .RemoveAllLoggers();
            live.Add((name, name switch
            {
                "midtrans" => (sp, http) => new MidtransProvider(http, Options.Create(Bound<MidtransOptions>(c, baseUrl))),
                "xendit" => (sp, http) => new XenditProvider(http, Options.Create(Bound<XenditOptions>(c, baseUrl))),
                "stripe" => (sp, http) => new StripeProvider(http, Options.Create(Bound<StripeOptions>(c, baseUrl)), sp.GetRequiredService<TimeProvider>()),
                "ipaymu" => (sp, http) => new IpaymuProvider(http, Options.Create(Bound<IpaymuOptions>(c, baseUrl)), sp.GetRequiredService<TimeProvider>()),
                _ => (sp, http) => new DokuProvider(http, Options.Create(Bound<DokuOptions>(c, baseUrl)), sp.GetRequiredService<TimeProvider>()),
            }));
        }

        return live;
    }

    private static T Bound<T>(IConfigurationSection section, Uri baseUrl)
        where T : new()
    {
        var options = new T();
        section.Bind(options);
        typeof(T).GetProperty("BaseUrl")!.SetValue(options, baseUrl);
        return options;
    }
}

/// <summary>
/// Points requests for the simulators mounted inside Gerbang at Gerbang's own address, which is known
/// only once the server listens (the port may be chosen by the system).
/// </summary>
internal sealed class SelfAddressHandler(GerbangUrls urls) : DelegatingHandler
{
    public const string Placeholder = "http://gerbang-self";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { Host: "gerbang-self" } uri)
        {
            request.RequestUri = new Uri(urls.Self + uri.PathAndQuery);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

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
using Gerbang.Simulators.Doku;
using Gerbang.Simulators.Generic;
using Gerbang.Simulators.Ipaymu;
using Gerbang.Simulators.Midtrans;
using Gerbang.Simulators.Stripe;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.ProviderSetup;

public static class ProviderServices
{
    public const string SimulatorMount = "/_sim";

    /// <summary>
    /// Whether the simulators are mounted inside Gerbang and the test-mode adapters that have no
    /// <c>BaseUrl</c> of their own reach them: <c>Gerbang:Simulators:InProcess</c>, by default on unless
    /// live providers are configured (a production install, whose test mode goes to each provider's
    /// sandbox when <c>Providers:{Name}:BaseUrl</c> names it, and to nothing otherwise).
    /// </summary>
    public static bool InProcessSimulators(IConfiguration configuration) =>
        configuration.GetValue<bool?>("Gerbang:Simulators:InProcess") ?? !configuration.GetSection("Providers:Live").GetChildren().Any();

    /// <summary>
    /// Registers the adapters per mode, one registration per provider. In test mode each adapter's base
    /// URL is its sandbox when configured, else its simulator inside Gerbang (when mounted), with the
    /// credentials the two share; live adapters are added only with their own configured credentials.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<SimulatorCredentials>();
        var inProcess = InProcessSimulators(configuration);
        var registrations = new List<ProviderRegistration>
        {
            AddSimulatorProvider(services, configuration, inProcess),
            AddMidtrans(services, configuration, inProcess),
            AddXendit(services, configuration, inProcess),
            AddStripe(services, configuration, inProcess),
            AddIpaymu(services, configuration, inProcess),
            AddDoku(services, configuration, inProcess),
        };

        ValidateTestMode(configuration);
        services.AddSingleton(sp =>
        {
            var registry = new ProviderRegistry();
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            foreach (var registration in registrations)
            {
                if (registration.Test is { } test)
                {
                    registry.Add(Mode.Test, test(sp, factory.CreateClient("provider-" + registration.Name)));
                    registry.AddTestControl(registration.Control!(factory.CreateClient("provider-" + registration.Name + "-control")));
                }

                if (registration.Live is { } live)
                {
                    registry.Add(Mode.Live, live(sp, factory.CreateClient("provider-" + registration.Name + "-live")));
                }
            }

            return registry;
        });
        return services;
    }

    /// <summary>How one provider is built in each mode (null where it has no adapter in that mode).</summary>
    private sealed record ProviderRegistration(
        string Name,
        Func<IServiceProvider, HttpClient, IPaymentProvider>? Test,
        Func<HttpClient, IProviderTestControl>? Control,
        Func<IServiceProvider, HttpClient, IPaymentProvider>? Live);

    private static ProviderRegistration AddSimulatorProvider(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        var section = configuration.GetSection(SimulatorProviderOptions.Section);
        services.AddOptions<GenericSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.ApiKey = SimulatorCredentials.Or(o.ApiKey, c.GenericApiKey);
            o.WebhookSecret = SimulatorCredentials.Or(o.WebhookSecret, c.GenericWebhookSecret);
        });
        services.AddOptions<SimulatorProviderOptions>().Bind(section)
            .PostConfigure<IOptions<GenericSimulatorOptions>>((o, sim) =>
            {
                o.ApiKey = SimulatorCredentials.Or(o.ApiKey, sim.Value.ApiKey);
                o.WebhookSecret = SimulatorCredentials.Or(o.WebhookSecret, sim.Value.WebhookSecret);
            })
            .ValidateDataAnnotations().Validate(o => o.Timeout > TimeSpan.Zero, $"{SimulatorProviderOptions.Section}:Timeout must be positive.").ValidateOnStart();
        if (!Reaches(section, inProcess))
        {
            return new("simulator", null, null, null);
        }

        AddTestClient<SimulatorProviderOptions>(services, SimulatorProvider.ProviderName, "/simulator", o => o.BaseUrl, o => o.Timeout, o => "Bearer " + o.ApiKey, o => "Bearer " + o.ApiKey);
        return new(
            SimulatorProvider.ProviderName,
            (sp, http) => new SimulatorProvider(http, sp.GetRequiredService<IOptions<SimulatorProviderOptions>>(), sp.GetRequiredService<TimeProvider>()),
            http => new SimulatorTestControl(http),
            null);
    }

    private static ProviderRegistration AddMidtrans(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        services.AddOptions<MidtransSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.ServerKey = SimulatorCredentials.Or(o.ServerKey, c.MidtransServerKey);
            o.IrisApiKey = SimulatorCredentials.Or(o.IrisApiKey, c.MidtransIrisApiKey);
            o.IrisMerchantKey = SimulatorCredentials.Or(o.IrisMerchantKey, c.MidtransIrisMerchantKey);
            o.IrisApproverKey = SimulatorCredentials.Or(o.IrisApproverKey, c.MidtransIrisApproverKey);
        });
        var section = configuration.GetSection(MidtransOptions.Section);
        services.AddOptions<MidtransOptions>().Bind(section)
            .PostConfigure<IOptions<MidtransSimulatorOptions>>((o, sim) =>
            {
                o.ServerKey = SimulatorCredentials.Or(o.ServerKey, sim.Value.ServerKey);
                o.IrisApiKey = SimulatorCredentials.Or(o.IrisApiKey, sim.Value.IrisApiKey);
                o.IrisMerchantKey = SimulatorCredentials.Or(o.IrisMerchantKey, sim.Value.IrisMerchantKey);
                o.IrisApproverKey = SimulatorCredentials.Or(o.IrisApproverKey, sim.Value.IrisApproverKey);
            })
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{MidtransOptions.Section}:Timeout must be positive.").ValidateOnStart();
        var live = Live(services, configuration, MidtransProvider.ProviderName, "Midtrans", (sp, http, c, url) =>
        {
            var o = c.Get<MidtransOptions>() ?? new MidtransOptions();
            o.BaseUrl = url;
            return new MidtransProvider(http, Options.Create(o));
        });
        if (!Reaches(section, inProcess))
        {
            return new(MidtransProvider.ProviderName, null, null, live);
        }

        AddTestClient<MidtransOptions>(services, MidtransProvider.ProviderName, "/midtrans", o => o.BaseUrl, o => o.Timeout, null, o => MidtransSignature.BasicAuth(o.ServerKey));
        return new(
            MidtransProvider.ProviderName,
            (sp, http) => new MidtransProvider(http, sp.GetRequiredService<IOptions<MidtransOptions>>()),
            http => new ProviderSimulatorControl(MidtransProvider.ProviderName, http),
            live);
    }

    private static ProviderRegistration AddXendit(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        services.AddOptions<XenditSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.SecretKey = SimulatorCredentials.Or(o.SecretKey, c.XenditSecretKey);
            o.CallbackToken = SimulatorCredentials.Or(o.CallbackToken, c.XenditCallbackToken);
        });
        var section = configuration.GetSection(XenditOptions.Section);
        services.AddOptions<XenditOptions>().Bind(section)
            .PostConfigure<IOptions<XenditSimulatorOptions>>((o, sim) =>
            {
                o.SecretKey = SimulatorCredentials.Or(o.SecretKey, sim.Value.SecretKey);
                o.CallbackToken = SimulatorCredentials.Or(o.CallbackToken, sim.Value.CallbackToken);
            })
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{XenditOptions.Section}:Timeout must be positive.").ValidateOnStart();
        var live = Live(services, configuration, XenditProvider.ProviderName, "Xendit", (sp, http, c, url) =>
        {
            var o = c.Get<XenditOptions>() ?? new XenditOptions();
            o.BaseUrl = url;
            return new XenditProvider(http, Options.Create(o));
        });
        if (!Reaches(section, inProcess))
        {
            return new(XenditProvider.ProviderName, null, null, live);
        }

        AddTestClient<XenditOptions>(services, XenditProvider.ProviderName, "/xendit", o => o.BaseUrl, o => o.Timeout, null, o => XenditSignature.BasicAuth(o.SecretKey));
        return new(
            XenditProvider.ProviderName,
            (sp, http) => new XenditProvider(http, sp.GetRequiredService<IOptions<XenditOptions>>()),
            http => new ProviderSimulatorControl(XenditProvider.ProviderName, http),
            live);
    }

    private static ProviderRegistration AddStripe(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        services.AddOptions<StripeSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.SecretKey = SimulatorCredentials.Or(o.SecretKey, c.StripeSecretKey);
            o.WebhookSecret = SimulatorCredentials.Or(o.WebhookSecret, c.StripeWebhookSecret);
        });
        var section = configuration.GetSection(StripeOptions.Section);
        services.AddOptions<StripeOptions>().Bind(section)
            .PostConfigure<IOptions<StripeSimulatorOptions>>((o, sim) =>
            {
                o.SecretKey = SimulatorCredentials.Or(o.SecretKey, sim.Value.SecretKey);
                o.WebhookSecret = SimulatorCredentials.Or(o.WebhookSecret, sim.Value.WebhookSecret);
            })
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{StripeOptions.Section}:Timeout must be positive.")
            .Validate(o => o.MinAmount > 0 && o.MaxAmount >= o.MinAmount, $"{StripeOptions.Section}:MinAmount must be positive and at most MaxAmount.").ValidateOnStart();
        var live = Live(services, configuration, StripeProvider.ProviderName, "Stripe", (sp, http, c, url) =>
        {
            var o = c.Get<StripeOptions>() ?? new StripeOptions();
            o.BaseUrl = url;
            return new StripeProvider(http, Options.Create(o), sp.GetRequiredService<TimeProvider>());
        });
        if (!Reaches(section, inProcess))
        {
            return new(StripeProvider.ProviderName, null, null, live);
        }

        AddTestClient<StripeOptions>(services, StripeProvider.ProviderName, "/stripe", o => o.BaseUrl, o => o.Timeout, null, o => "Bearer " + o.SecretKey);
        return new(
            StripeProvider.ProviderName,
            (sp, http) => new StripeProvider(http, sp.GetRequiredService<IOptions<StripeOptions>>(), sp.GetRequiredService<TimeProvider>()),
            http => new ProviderSimulatorControl(StripeProvider.ProviderName, http),
            live);
    }

    private static ProviderRegistration AddIpaymu(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        services.AddOptions<IpaymuSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.Va = SimulatorCredentials.Or(o.Va, c.IpaymuVa);
            o.ApiKey = SimulatorCredentials.Or(o.ApiKey, c.IpaymuApiKey);
        });
        var section = configuration.GetSection(IpaymuOptions.Section);
        services.AddOptions<IpaymuOptions>().Bind(section)
            .PostConfigure<IOptions<IpaymuSimulatorOptions>>((o, sim) =>
            {
                o.Va = SimulatorCredentials.Or(o.Va, sim.Value.Va);
                o.ApiKey = SimulatorCredentials.Or(o.ApiKey, sim.Value.ApiKey);
            })
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{IpaymuOptions.Section}:Timeout must be positive.").ValidateOnStart();
        var live = Live(services, configuration, IpaymuProvider.ProviderName, "Ipaymu", (sp, http, c, url) =>
        {
            var o = c.Get<IpaymuOptions>() ?? new IpaymuOptions();
            o.BaseUrl = url;
            return new IpaymuProvider(http, Options.Create(o), sp.GetRequiredService<TimeProvider>());
        });
        if (!Reaches(section, inProcess))
        {
            return new(IpaymuProvider.ProviderName, null, null, live);
        }

        AddTestClient<IpaymuOptions>(services, IpaymuProvider.ProviderName, "/ipaymu", o => o.BaseUrl, o => o.Timeout, null, o => Basic(o.Va, o.ApiKey));
        return new(
            IpaymuProvider.ProviderName,
            (sp, http) => new IpaymuProvider(http, sp.GetRequiredService<IOptions<IpaymuOptions>>(), sp.GetRequiredService<TimeProvider>()),
            http => new ProviderSimulatorControl(IpaymuProvider.ProviderName, http),
            live);
    }

    private static ProviderRegistration AddDoku(IServiceCollection services, IConfiguration configuration, bool inProcess)
    {
        var section = configuration.GetSection(DokuOptions.Section);
        var ownKey = !string.IsNullOrEmpty(section["PrivateKeyPem"]);
        services.AddOptions<DokuSimulatorOptions>().PostConfigure<SimulatorCredentials>((o, c) =>
        {
            o.ClientId = SimulatorCredentials.Or(o.ClientId, c.DokuClientId);
            o.SecretKey = SimulatorCredentials.Or(o.SecretKey, c.DokuSecretKey);
            o.ClientSecret = SimulatorCredentials.Or(o.ClientSecret, c.DokuClientSecret);
            if (!ownKey)
            {
                o.MerchantPublicKeyPem = SimulatorCredentials.Or(o.MerchantPublicKeyPem, c.DokuPublicKeyPem);
            }
        });
        services.AddOptions<DokuOptions>().Bind(section)
            .PostConfigure<IOptions<DokuSimulatorOptions>, SimulatorCredentials>((o, sim, c) =>
            {
                o.ClientId = SimulatorCredentials.Or(o.ClientId, sim.Value.ClientId);
                o.SecretKey = SimulatorCredentials.Or(o.SecretKey, sim.Value.SecretKey);
                o.ClientSecret = SimulatorCredentials.Or(o.ClientSecret, sim.Value.ClientSecret);
                if (string.IsNullOrEmpty(o.PrivateKeyPem))
                {
                    o.PrivateKeyPem = c.DokuPrivateKeyPem;
                }

                o.QrisMerchantId = SimulatorCredentials.Or(o.QrisMerchantId, "000000000000001");
                o.QrisTerminalId = SimulatorCredentials.Or(o.QrisTerminalId, "A01");
            })
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{DokuOptions.Section}:Timeout must be positive.").ValidateOnStart();
        var live = Live(services, configuration, DokuProvider.ProviderName, "Doku", (sp, http, c, url) =>
        {
            var o = c.Get<DokuOptions>() ?? new DokuOptions();
            o.BaseUrl = url;
            return new DokuProvider(http, Options.Create(o), sp.GetRequiredService<TimeProvider>());
        });
        if (!Reaches(section, inProcess))
        {
            return new(DokuProvider.ProviderName, null, null, live);
        }

        AddTestClient<DokuOptions>(services, DokuProvider.ProviderName, "/doku", o => o.BaseUrl, o => o.Timeout, null, o => Basic(o.ClientId, o.SecretKey));
        return new(
            DokuProvider.ProviderName,
            (sp, http) => new DokuProvider(http, sp.GetRequiredService<IOptions<DokuOptions>>(), sp.GetRequiredService<TimeProvider>()),
            http => new ProviderSimulatorControl(DokuProvider.ProviderName, http),
            live);
    }

    /// <summary>A test-mode adapter has somewhere to go: its own sandbox, or the simulators inside Gerbang.</summary>
    private static bool Reaches(IConfigurationSection section, bool inProcess) => inProcess || !string.IsNullOrEmpty(section["BaseUrl"]);

    /// <summary>
    /// A test-mode provider's clients (the adapter's, and the control API's beside its simulator): its
    /// configured base URL, or its simulator inside Gerbang. Both refuse anything that is not test mode.
    /// </summary>
    private static void AddTestClient<TOptions>(
        IServiceCollection services, string name, string simulatorPath, Func<TOptions, Uri?> baseUrl, Func<TOptions, TimeSpan> timeout, Func<TOptions, string>? authorization, Func<TOptions, string> controlAuthorization)
        where TOptions : class
    {
        foreach (var (client, auth, clientTimeout) in new[] { (name, authorization, (Func<TOptions, TimeSpan>?)timeout), (name + "-control", controlAuthorization, null) })
        {
            services.AddHttpClient("provider-" + client, (sp, http) =>
                {
                    var options = sp.GetRequiredService<IOptions<TOptions>>().Value;
                    var url = baseUrl(options)?.ToString() ?? SelfAddressHandler.Placeholder + SimulatorMount + simulatorPath;
                    http.BaseAddress = new Uri(url.TrimEnd('/') + "/");
                    http.Timeout = clientTimeout?.Invoke(options) ?? TimeSpan.FromSeconds(30);
                    if (auth is not null)
                    {
                        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", auth(options));
                    }
                })
                .AddHttpMessageHandler(sp => new SelfAddressHandler(sp.GetRequiredService<GerbangUrls>()))
                .AddHttpMessageHandler(() => new ProviderModeGuard(Mode.Test))
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .RemoveAllLoggers();
        }
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
    /// The live adapter of a provider configured under <c>Providers:Live:{Section}</c>, with its own
    /// credentials and client (production URL unless set); null when not configured. Checked here, at
    /// start: an empty secret, a sandbox host or a test key stops Gerbang from starting.
    /// </summary>
    private static Func<IServiceProvider, HttpClient, IPaymentProvider>? Live(
        IServiceCollection services, IConfiguration configuration, string name, string sectionName, Func<IServiceProvider, HttpClient, IConfigurationSection, Uri, IPaymentProvider> create)
    {
        var c = configuration.GetSection("Providers:Live:" + sectionName);
        if (!c.Exists())
        {
            return null;
        }

        var keys = Secrets.Single(s => s.Name == name).Keys;
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
        return (sp, http) => create(sp, http, c, baseUrl);
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

using System.Security.Claims;
using Gerbang.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Dashboard;

/// <summary>
/// The dashboard: Razor Pages under <c>/dashboard</c>, signed in with a cookie, guarded by the same
/// role table as the admin API (one policy per permission, for the cookie scheme) plus a merchant policy.
/// </summary>
public static class DashboardServices
{
    public const string Scheme = "dashboard";
    public const string MerchantPolicy = "dashboard:merchant";
    public const string SignedInPolicy = "dashboard:signed-in";
    public const string CookieName = "gerbang_dashboard";

    public static string Policy(string permission) => "dashboard:" + permission;

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("gerbang");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = ActivatorUtilities.CreateInstance<SealedKeyRepository>(sp)));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "gerbang_dashboard_af";
            o.Cookie.Path = "/dashboard";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/", SignedInPolicy);
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Invitation");
            o.Conventions.AuthorizeFolder("/Merchant", MerchantPolicy);
            o.Conventions.AuthorizeFolder("/Ops", Policy(AdminRoles.ViewOperations));
            o.Conventions.AuthorizePage("/Ops/Ledger", Policy(AdminRoles.ViewLedger));
            o.Conventions.AuthorizePage("/Ops/Audit", Policy(AdminRoles.ManageAdmins));
        }).AddApplicationPart(typeof(DashboardServices).Assembly); // the pages live here, whichever program hosts Gerbang
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = "/dashboard";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/dashboard/login";
            o.AccessDeniedPath = "/dashboard/denied";
            o.ReturnUrlParameter = "return";
            o.Events.OnValidatePrincipal = StillAllowedAsync;
        });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (permission, roles) in AdminRoles.Permissions)
        {
            authorization.AddPolicy(Policy(permission), p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim("role", roles));
        }

        authorization.AddPolicy(SignedInPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        authorization.AddPolicy(MerchantPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim("role", PasswordSignIn.MerchantRole).RequireClaim("merchant"));
        return services;
    }

    public static void MapDashboard(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/dashboard"), branch => branch.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers.CacheControl = "no-store";
            await next();
        }));
        app.MapGet("/dashboard/assets/dashboard.css", () => DashboardAssets.Css).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
    }

    public static ClaimsPrincipal Principal(PasswordSignIn.Account account)
    {
        var claims = new List<Claim> { new("sub", account.Id), new("email", account.Email), new("role", account.Role) };
        if (account.MerchantId is not null)
        {
            claims.Add(new Claim("merchant", account.MerchantId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, "email", "role"));
    }

    /// <summary>A cookie outlives nothing: an account disabled or given another role since sign-in is signed out.</summary>
    private static async Task StillAllowedAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var signIn = context.HttpContext.RequestServices.GetRequiredService<PasswordSignIn>();
        var allowed = await signIn.StillAllowedAsync(
            principal.FindFirstValue("sub") ?? "", principal.FindFirstValue("role") ?? "", principal.FindFirstValue("merchant"), context.HttpContext.RequestAborted);
        if (!allowed)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}

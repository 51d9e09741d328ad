using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary><c>/admin/v1</c>: wiring of sign-in, policies from the role table, and the admin routes.</summary>
public static class AdminEndpoints
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminTokens>();
        services.AddSingleton<MerchantService>();
        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PasswordSignIn>();
        services.AddSingleton<FourEyes>();
        services.AddSingleton<MerchantInvitations>();
        services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.Section);
        services.AddSingleton<Mail.MailPickup>();
        services.AddOptions<Mail.MailOptions>().BindConfiguration(Mail.MailOptions.Section);
        services.AddOptions<FourEyesOptions>().BindConfiguration(FourEyesOptions.Section);

        // No default scheme: only admin routes ask for a JWT, so merchant keys on /v1 are never parsed as one.
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AdminTokens>((o, tokens) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = tokens.ValidationParameters();
                o.Events = new JwtBearerEvents { OnTokenValidated = StillAllowedAsync, OnChallenge = AuditChallengeAsync };
            });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (permission, roles) in AdminRoles.Permissions)
        {
            authorization.AddPolicy(permission, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireClaim("role", roles));
        }

        return services;
    }

    public static void MapAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/v1").ReadsBodies().CalledBy(ApiCaller.Admin);
        admin.MapAdminAuth();
        admin.MapMerchantAdmin();
        admin.MapMerchantUsers();
        admin.MapChangeRequests();
        admin.MapAdminUsers();
        admin.MapAuditLog();
        admin.MapOperationsViews();
        admin.MapFeeAdmin();
        admin.MapProviderBalances();
        admin.MapProviderRouting();
        admin.MapReconciliation();
        admin.MapPaymentStats();
        admin.MapDisbursementReview();
    }

    /// <summary>A token outlives nothing: an admin disabled or given another role since it was issued is refused.</summary>
    private static async Task StillAllowedAsync(TokenValidatedContext context)
    {
        var principal = context.Principal;
        var signIn = context.HttpContext.RequestServices.GetRequiredService<PasswordSignIn>();
        var role = principal?.FindFirst("role")?.Value ?? "";
        if (!await signIn.StillAllowedAsync(principal?.FindFirst("sub")?.Value ?? "", role, null, context.HttpContext.RequestAborted))
        {
            context.Fail("The admin is disabled or their role changed.");
        }
    }

    private static async Task AuditChallengeAsync(JwtBearerChallengeContext context)
    {
        var http = context.HttpContext;
        if (http.Request.Headers.Authorization.Count > 0)
        {
            await http.RequestServices.GetRequiredService<AuditLog>().WriteAsync(
                null,
                new AuditEntry("admin.token_rejected", "route", http.Request.Path, null, null, context.AuthenticateFailure?.GetType().Name ?? "invalid token", "denied"),
                http.Connection.RemoteIpAddress?.ToString(),
                CancellationToken.None);
        }
    }
}

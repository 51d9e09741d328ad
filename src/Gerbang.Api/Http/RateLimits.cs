using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Gerbang.Api.Http;

public sealed class RateLimitOptions
{
    public const string Section = "Gerbang:RateLimits";

    /// <summary>Requests a merchant key may make per second, sustained.</summary>
    public int MerchantPerSecond { get; set; } = 100;

    /// <summary>How many requests above the sustained rate a key may send at once.</summary>
    public int MerchantBurst { get; set; } = 200;

    /// <summary>Sign-in attempts per source address per minute.</summary>
    public int AdminLoginPerMinute { get; set; } = 20;

    /// <summary>Payment starts and simulations on hosted checkout pages per source address per minute.</summary>
    public int CheckoutPerMinute { get; set; } = 60;

    /// <summary>
    /// Requests per second from one address on <c>/v1</c> with no key Gerbang knows (missing, malformed,
    /// or well-formed but unknown): one bucket per address, so guessing keys costs the guesser alone.
    /// </summary>
    public int UnknownKeyPerSecond { get; set; } = 10;
}

/// <summary>
/// Rate limits with the framework's limiter: a token bucket per merchant key on /v1 (a flood from one
/// merchant draws only on its own bucket), a window per address on admin sign-in. Provider webhooks
/// are never limited. Refusals are 429 problems with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string Merchant = "merchant-key";
    public const string AdminLogin = "admin-login";
    public const string Checkout = "checkout";

    public static IServiceCollection AddGerbangRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section));
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Merchant, http =>
            {
                // A well-formed key draws on its own bucket. Anything else (no key, a malformed one) is
                // refused by the authenticator, which limits every key it does not know, made-up
                // well-formed ones included, by one bucket per sender address.
                var key = MerchantContext.PresentedKey(http.Request);
                if (key is null || !ApiKeys.TryParse(key, out _))
                {
                    return RateLimitPartition.GetNoLimiter("unknown");
                }

                var partition = Convert.ToHexString(ApiKeys.Hash(key).AsSpan(0, 12));
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.MerchantBurst,
                    TokensPerPeriod = options.MerchantPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.AddPolicy(AdminLogin, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AdminLoginPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // The checkout page's writes need no key, so they are limited per address instead.
            limiter.AddPolicy(Checkout, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.CheckoutPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                var problem = Problems.Create(429, "rate_limited", $"Too many requests; retry after {retryAfter} s.");
                problem.Headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
                await problem.ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}

using System.CommandLine;

namespace Gerbang.Cli;

/// <summary>Who a request speaks as: a merchant's secret key, an admin's access token, or nobody.</summary>
public enum Audience
{
    Merchant,
    Admin,
    Anonymous,
}

/// <summary>The options every command takes, and the client built from them.</summary>
public sealed class CliContext
{
    public CliContext(CliConsole console)
    {
        Console = console;
        ApiUrl = new Option<string>("--api-url")
        {
            Description = "Gerbang's base URL (env GERBANG_API_URL)",
            Recursive = true,
            DefaultValueFactory = _ => console.Environment("GERBANG_API_URL") ?? "http://localhost:8080",
        };
        Key = new Option<string?>("--key")
        {
            Description = "The merchant's secret key, sk_test_… or sk_live_… (env GERBANG_API_KEY)",
            Recursive = true,
        };
        AdminToken = new Option<string?>("--admin-token")
        {
            Description = "An admin access token from 'gerbang admin login' (env GERBANG_ADMIN_TOKEN)",
            Recursive = true,
        };
        Retries = new Option<int>("--retries")
        {
            Description = "How often to retry a request Gerbang could not answer (the same Idempotency-Key is sent again)",
            Recursive = true,
            DefaultValueFactory = _ => 2,
        };
        IdempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "The Idempotency-Key of a POST (default: a new random key per command)",
            Recursive = true,
        };
    }

    public CliConsole Console { get; }

    public Option<string> ApiUrl { get; }

    public Option<string?> Key { get; }

    public Option<string?> AdminToken { get; }

    public Option<int> Retries { get; }

    public Option<string?> IdempotencyKey { get; }

    /// <summary>A client for one command, or null (with the reason written) when a credential is missing.</summary>
    public GerbangClient? Client(ParseResult result, Audience audience)
    {
        // Secrets are read from the environment here rather than as option defaults, which help would print.
        var credential = audience switch
        {
            Audience.Merchant => result.GetValue(Key) ?? Console.Environment("GERBANG_API_KEY"),
            Audience.Admin => result.GetValue(AdminToken) ?? Console.Environment("GERBANG_ADMIN_TOKEN"),
            _ => null,
        };
        if (audience != Audience.Anonymous && string.IsNullOrEmpty(credential))
        {
            Console.Error.WriteLine(audience == Audience.Merchant
                ? "error: no secret key: pass --key or set GERBANG_API_KEY"
                : "error: no admin token: run 'gerbang admin login' and pass --admin-token or set GERBANG_ADMIN_TOKEN");
            return null;
        }

        if (!Uri.TryCreate(result.GetValue(ApiUrl), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine("error: --api-url must be an absolute http(s) URL");
            return null;
        }

        return new GerbangClient(baseUri, credential, Console, Math.Clamp(result.GetValue(Retries), 0, 10), result.GetValue(IdempotencyKey));
    }

    /// <summary>Runs <paramref name="call"/> with a client, or answers the usage error for a missing credential.</summary>
    public async Task<int> WithClientAsync(ParseResult result, Audience audience, Func<GerbangClient, Task<int>> call)
    {
        using var client = Client(result, audience);
        return client is null ? ExitCodes.Usage : await call(client);
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int Refused = 2;
    public const int Failed = 3;
}

using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Gerbang.Cli.Commands;

/// <summary><c>gerbang api</c> (any route, as the merchant or an admin) and <c>gerbang health</c>.</summary>
public static class RawCommands
{
    public static Command Api(CliContext context)
    {
        var method = new Argument<string>("method") { Description = "GET, POST, PATCH, PUT or DELETE" };
        var path = new Argument<string>("path") { Description = "The route, such as /v1/payments?limit=3" };
        var data = new Option<string?>("--data", "-d") { Description = "The JSON body, or @file to read it from a file, or @- from stdin" };
        var admin = new Option<bool>("--admin") { Description = "Send the admin token instead of the merchant key" };
        var command = new Command("api", "Call any route and print the answer") { method, path, data, admin };
        command.SetAction(async (result, ct) =>
        {
            var verb = result.GetValue(method)!.ToUpperInvariant();
            if (verb is not ("GET" or "POST" or "PATCH" or "PUT" or "DELETE"))
            {
                context.Console.Error.WriteLine($"error: method must be GET, POST, PATCH, PUT or DELETE, not '{verb}'");
                return ExitCodes.Usage;
            }

            var route = result.GetValue(path)!;
            if (!route.StartsWith('/'))
            {
                context.Console.Error.WriteLine("error: path must start with /");
                return ExitCodes.Usage;
            }

            byte[]? body = null;
            if (result.GetValue(data) is { } text)
            {
                text = text switch
                {
                    "@-" => await context.Console.In.ReadToEndAsync(ct),
                    _ when text.StartsWith('@') => await File.ReadAllTextAsync(text[1..], ct),
                    _ => text,
                };
                try
                {
                    using var _ = JsonDocument.Parse(text);
                }
                catch (JsonException ex)
                {
                    context.Console.Error.WriteLine($"error: --data is not JSON: {ex.Message}");
                    return ExitCodes.Usage;
                }

                body = Encoding.UTF8.GetBytes(text);
            }

            var audience = result.GetValue(admin) ? Audience.Admin : route.StartsWith("/v1/", StringComparison.Ordinal) ? Audience.Merchant : Audience.Anonymous;
            return await context.WithClientAsync(result, audience, client => client.RunAsync(new HttpMethod(verb), route, body, ct));
        });
        return command;
    }

    public static Command Health(CliContext context) =>
        Endpoints.Call(context, "health", "Is Gerbang ready (database, migrations, workers, backlog)?", Audience.Anonymous, HttpMethod.Get, _ => "/health/ready");
}

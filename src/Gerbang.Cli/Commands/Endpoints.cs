using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Gerbang.Cli.Commands;

/// <summary>Builds commands that are one API call each, and the list options every list shares.</summary>
public static class Endpoints
{
    public static Option<T> Opt<T>(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required };

    public static Argument<string> Id(string what) => new("id") { Description = $"The {what}'s id" };

    /// <summary><c>--currency</c>, IDR unless given.</summary>
    public static Option<string> CurrencyOption() => new("--currency") { Description = "ISO 4217, upper case", DefaultValueFactory = _ => "IDR" };

    /// <summary>A repeatable option that also takes comma-separated values.</summary>
    public static Option<string[]> ListOption(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = true };

    /// <summary>The items of a <see cref="ListOption"/>, split at commas and trimmed.</summary>
    public static string[] Items(string[]? given) =>
        [.. (given ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>A command that sends one request built from its parsed values and prints the answer.</summary>
    public static Command Call(
        CliContext context, string name, string description, Audience audience, HttpMethod method,
        Func<ParseResult, string> path, Func<ParseResult, object?>? body = null, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.SetAction((result, ct) => context.WithClientAsync(result, audience, client =>
            client.RunAsync(method, path(result), body?.Invoke(result), ct)));
        return command;
    }

    /// <summary>A call about one object, named by an <c>id</c> argument (escaped into the path).</summary>
    public static Command ById(
        CliContext context, string name, string description, string what, Audience audience, HttpMethod method,
        Func<string, string> path, Func<ParseResult, object?>? body = null, params Symbol[] symbols)
    {
        var id = Id(what);
        return Call(context, name, description, audience, method, r => path(Escape(r.GetValue(id)!)), body, [id, .. symbols]);
    }

    /// <summary>A JSON object of the given fields, leaving out those not given.</summary>
    public static Dictionary<string, object?> Fields(params (string Name, object? Value)[] fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value);

    /// <summary><c>?a=1&amp;b=2</c> from the parameters given (none: empty).</summary>
    public static string Query(IEnumerable<(string Name, string? Value)> parameters)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in parameters.Where(p => !string.IsNullOrEmpty(p.Value)))
        {
            text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value!));
        }

        return text.ToString();
    }

    public static string Escape(string id) => Uri.EscapeDataString(id);

    /// <summary>A list command: the contract's paging options, the list's own filters, and <c>--all</c> to follow every page.</summary>
    public static Command List(CliContext context, string name, string description, Audience audience, string path, params (string Option, string Parameter, string Help)[] filters)
    {
        var limit = Opt<int?>("--limit", "Objects per page, 1 to 100 (default 10)");
        var after = Opt<string?>("--starting-after", "The page after this object id");
        var before = Opt<string?>("--ending-before", "The page before this object id");
        var from = Opt<string?>("--created-gte", "Created at or after (RFC 3339 or unix seconds)");
        var to = Opt<string?>("--created-lte", "Created at or before (RFC 3339 or unix seconds)");
        var all = Opt<bool>("--all", "Follow has_more through every page and print one JSON array");
        var filterOptions = filters.Select(f => (Option: Opt<string?>(f.Option, f.Help), f.Parameter)).ToList();
        var command = new Command(name, description) { limit, after, before, from, to, all };
        foreach (var (option, _) in filterOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, ct) => context.WithClientAsync(result, audience, async client =>
        {
            var parameters = new List<(string, string?)>
            {
                ("limit", result.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("ending_before", result.GetValue(before)),
                ("created[gte]", result.GetValue(from)),
                ("created[lte]", result.GetValue(to)),
            };
            parameters.AddRange(filterOptions.Select(f => (f.Parameter, result.GetValue(f.Option))));
            if (!result.GetValue(all))
            {
                parameters.Add(("starting_after", result.GetValue(after)));
                return await client.RunAsync(HttpMethod.Get, path + Query(parameters), null, ct);
            }

            return await AllPagesAsync(client, path, parameters, result.GetValue(after), ct);
        }));
        return command;
    }

    private static async Task<int> AllPagesAsync(GerbangClient client, string path, List<(string, string?)> parameters, string? startingAfter, CancellationToken ct)
    {
        var objects = new List<JsonElement>();
        var cursor = startingAfter;
        while (true)
        {
            var answer = await client.SendAsync(HttpMethod.Get, path + Query([.. parameters, ("starting_after", cursor)]), null, ct);
            if (answer is null || answer.Status >= 400)
            {
                return answer is null ? ExitCodes.Failed : client.Print(answer);
            }

            var page = answer.Json();
            var data = page.GetProperty("data").EnumerateArray().ToList();
            objects.AddRange(data);
            if (data.Count == 0 || !page.GetProperty("has_more").GetBoolean())
            {
                break;
            }

            cursor = data[^1].GetProperty("id").GetString();
        }

        client.Console.Out.WriteLine(GerbangClient.Pretty(JsonSerializer.SerializeToElement(objects)));
        return ExitCodes.Ok;
    }
}

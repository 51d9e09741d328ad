using System.Text.Json;

namespace Gerbang.Cli.Tests;

/// <summary>What one run of the command line printed and answered.</summary>
public sealed record CliResult(int Exit, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement.Clone();
}

/// <summary>Runs <c>gerbang</c> in-process against a real Gerbang, with its own environment and stdin.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunWithAsync(IReadOnlyDictionary<string, string>? environment, string? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var console = new CliConsole(output, error, input, name => environment?.GetValueOrDefault(name));
        var exit = await CliApp.RunAsync(args, console);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>Starts a long-running command; <c>Error</c> reads what it has written to stderr so far.</summary>
    public static (Task<CliResult> Run, Func<string> Error) Start(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        // A synchronized writer locks on itself while writing, so reading under the same lock is safe.
        var syncError = TextWriter.Synchronized(error);
        var console = new CliConsole(TextWriter.Synchronized(output), syncError, TextReader.Null, _ => null);
        var run = Task.Run(async () =>
        {
            var exit = await CliApp.RunAsync(args, console);
            return new CliResult(exit, output.ToString(), error.ToString());
        });
        string ErrorSoFar()
        {
            lock (syncError)
            {
                return error.ToString();
            }
        }

        return (run, ErrorSoFar);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunWithAsync(null, null, args);
}

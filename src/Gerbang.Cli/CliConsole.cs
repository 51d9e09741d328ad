namespace Gerbang.Cli;

/// <summary>
/// Where the command line writes and what it reads from its surroundings, so that a run can be driven
/// in-process (tests) exactly as from a shell.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> Environment)
{
    public static CliConsole FromProcess() =>
        new(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable);
}

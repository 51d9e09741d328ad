using Gerbang.Cli;

return await CliApp.RunAsync(args, CliConsole.FromProcess());

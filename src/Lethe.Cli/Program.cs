using Lethe.Cli;

return await LetheApp.RunAsync(args, CliConsole.FromProcess()).ConfigureAwait(false);

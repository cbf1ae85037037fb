using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe logs NAME [-f]: the supervisor's boot log, then the console of the current (or last) boot.</summary>
public static class LogsCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the console as it grows, until the machine stops" };
        var logs = new Command("logs", "Show a machine's boot log and console") { spec, name, follow };
        logs.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            if (!Directory.Exists(folder.Path))
                throw new LetheException($"no machine named {folder.Name}");
            if (File.Exists(folder.SupervisorLog))
                await console.Out.WriteAsync(await File.ReadAllTextAsync(folder.SupervisorLog, stop).ConfigureAwait(false)).ConfigureAwait(false);
            var running = folder.IsRunning();
            var consoleLog = (running ? folder.ReadStatus()?.ConsoleLog : null) ?? folder.ConsoleLog;
            if (!File.Exists(consoleLog))
                return ExitCodes.Success;
            await using var file = new FileStream(consoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(file);
            await console.Out.WriteAsync(await reader.ReadToEndAsync(stop).ConfigureAwait(false)).ConfigureAwait(false);
            while (parse.GetValue(follow) && folder.IsRunning())
            {
                await Task.Delay(250, stop).ConfigureAwait(false);
                await console.Out.WriteAsync(await reader.ReadToEndAsync(stop).ConfigureAwait(false)).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return logs;
    }
}

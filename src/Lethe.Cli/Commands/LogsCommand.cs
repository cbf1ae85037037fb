using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe logs NAME [-f]: the supervisor's boot log, then the console of the current (or last) boot, made safe to show.</summary>
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
            await MachineLogs.WriteAsync(folder, console.Out, parse.GetValue(follow), stop).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return logs;
    }
}

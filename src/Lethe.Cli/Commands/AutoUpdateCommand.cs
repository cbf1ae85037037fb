using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Generations;

namespace Lethe.Cli.Commands;

/// <summary>lethe autoupdate enable|disable [NAME]: a systemd user timer that runs lethe update every update.every.</summary>
public static class AutoUpdateCommand
{
    private static readonly string[] FolderVariables = ["LETHE_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "PATH"];

    public static Command Create(CliConsole console)
    {
        var autoupdate = new Command("autoupdate", "Keep a machine current without being asked: a systemd user timer running lethe update");
        autoupdate.Subcommands.Add(Enable(console));
        autoupdate.Subcommands.Add(Disable(console));
        return autoupdate;
    }

    private static Command Enable(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var enable = new Command("enable", "Install and start the timer (lethe update --watch does the same in the foreground)") { spec, name };
        enable.SetAction(async (parse, stop) =>
        {
            var (folder, machine) = UpdateCommand.Load(parse.GetValue(name), parse.GetValue(spec), false, console);
            var update = machine.Update ?? throw new UsageException($"{folder.Name}'s spec follows no source: add update: {{source: …}} first");
            string[] program = Environment.GetEnvironmentVariable("LETHE_LAUNCHER") is { Length: > 0 } launcher
                ? [launcher]
                : [Environment.ProcessPath!, .. Environment.ProcessPath!.EndsWith("/dotnet", StringComparison.Ordinal) ? [Environment.GetCommandLineArgs()[0]] : Array.Empty<string>()];
            var environment = FolderVariables.Select(variable => (variable, value: Environment.GetEnvironmentVariable(variable)))
                .Where(pair => pair.value is { Length: > 0 }).ToDictionary(pair => pair.variable, pair => pair.value!);
            var units = AutoUpdateUnits.For(folder.Name, program, machine.SourcePath, update.Every, environment);
            var enabled = await new AutoUpdateService(AutoUpdateService.UserUnitFolder(Environment.GetEnvironmentVariable)).EnableAsync(units, stop).ConfigureAwait(false);
            if (enabled.SystemdError is { } error)
                throw new HostException($"wrote {units.TimerName} and {units.ServiceName} in {enabled.UnitFolder}, but systemctl --user could not start the timer ({error}); in a login session run: systemctl --user enable --now {units.TimerName}");
            console.Error.WriteLine($"lethe: {folder.Name} is updated every {update.Every} from {update} ({units.TimerName}; lethe autoupdate disable {folder.Name} stops it)");
            return ExitCodes.Success;
        });
        return enable;
    }

    private static Command Disable(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var disable = new Command("disable", "Stop and remove the timer") { spec, name };
        disable.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            var removed = await new AutoUpdateService(AutoUpdateService.UserUnitFolder(Environment.GetEnvironmentVariable)).DisableAsync(folder.Name, stop).ConfigureAwait(false);
            console.Error.WriteLine(removed ? $"lethe: {folder.Name} is no longer updated by a timer" : $"lethe: {folder.Name} had no update timer");
            return ExitCodes.Success;
        });
        return disable;
    }
}

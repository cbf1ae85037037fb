using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe down and lethe reboot.</summary>
public static class LifecycleCommands
{
    private static readonly TimeSpan DownTimeout = TimeSpan.FromSeconds(60);

    public static Command Down(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var down = new Command("down", "Power a machine off (gracefully, then by force after a timeout)") { spec, name };
        down.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            if (!folder.IsRunning())
            {
                console.Error.WriteLine($"lethe: {folder.Name} is not running");
                return ExitCodes.Success;
            }
            if (!await MachineClient.StopAsync(folder, DownTimeout, stop).ConfigureAwait(false))
                console.Error.WriteLine($"lethe: {folder.Name} did not power off within {DownTimeout.TotalSeconds:0} s; killed");
            console.Error.WriteLine($"lethe: {folder.Name} is down");
            return ExitCodes.Success;
        });
        return down;
    }

    public static Command Reboot(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var reboot = new Command("reboot", "Reboot a machine: everything outside its allowlist is wiped") { spec, name };
        reboot.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            var timeline = await MachineClient.RebootAsync(folder, stop).ConfigureAwait(false);
            console.Error.WriteLine($"lethe: {folder.Name} rebooted ({timeline})");
            return ExitCodes.Success;
        });
        return reboot;
    }
}

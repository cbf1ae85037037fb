using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Machine.Ssh;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe supervise NAME (hidden): the background process of a machine started by lethe up.</summary>
public static class SuperviseCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var name = new Argument<string>("name");
        var machine = new MachineOptions();
        var supervise = new Command("supervise", "Run a machine's supervisor (started by lethe up)") { spec, allowOutside, name };
        supervise.Hidden = true;
        machine.AddTo(supervise);
        supervise.SetAction(async (parse, stop) =>
        {
            var debug = parse.GetValue(LetheApp.DebugOption);
            var paths = LethePaths.FromEnvironment();
            var folder = new MachineFolder(paths.Machines, parse.GetValue(name)!);
            BootRequest Boot()
            {
                // Read again at every boot: changes to the spec (the allowlist above all) take effect at the next boot.
                var loaded = SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside));
                var input = machine.Input(parse, loaded, folder.Name, debug) with { PersistDisk = folder.PersistDisk };
                var sshKeys = SshBoot.PrepareAsync(loaded, folder, stop).GetAwaiter().GetResult();
                return MachineOptions.PrepareAsync(input, console, stop, quiet: true).GetAwaiter().GetResult() with { SshKeys = sshKeys };
            }
            return await new Supervisor(paths, folder, Boot, console.Error).RunAsync(stop).ConfigureAwait(false);
        });
        return supervise;
    }
}

using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe supervise NAME (hidden): the background process of a machine started by lethe up.</summary>
public static class SuperviseCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = new Argument<string>("name");
        var machine = new MachineOptions();
        var supervise = new Command("supervise", "Run a machine's supervisor (started by lethe up)") { spec, name };
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
                var loaded = SpecInput.Load(parse.GetValue(spec), console);
                var request = machine.BootRequestAsync(parse, loaded, folder.Name, console, debug, stop, quiet: true).GetAwaiter().GetResult();
                var workspace = loaded.Workspace is { Mode: not WorkspaceMode.None } shared ? shared : null;
                return request with { PersistDisk = folder.PersistDisk, Workspace = workspace };
            }
            return await new Supervisor(paths, folder, Boot, console.Error).RunAsync(stop).ConfigureAwait(false);
        });
        return supervise;
    }
}

using System.CommandLine;
using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Generations;
using Lethe.Machine.Run;
using Lethe.Machine.Ssh;
using Lethe.Machine.Workstation;
using Lethe.Spec;

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
            var source = new SupervisedBootSource(() => SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside)), (loaded, image) =>
            {
                var input = machine.Input(parse, loaded, folder.Name, debug) with { PersistDisk = folder.PersistDisk };
                var sshKeys = SshBoot.PrepareAsync(loaded, folder, stop).GetAwaiter().GetResult();
                return MachineOptions.PrepareAsync(input, console, stop, quiet: true, image).GetAwaiter().GetResult() with { SshKeys = sshKeys };
            });
            var boots = new GenerationBoots(paths, folder, source, TimeProvider.System);
            return await new Supervisor(paths, folder, boots, console.Error).RunAsync(stop).ConfigureAwait(false);
        });
        return supervise;
    }
}

/// <summary>The supervisor's spec (read again at every boot: a change takes effect at the next one) and boot preparation.</summary>
internal sealed class SupervisedBootSource(Func<MachineSpec> load, Func<MachineSpec, ImageSet?, BootRequest> prepare) : IMachineBootSource
{
    public MachineSpec LoadSpec() => load();

    public BootRequest Prepare(MachineSpec spec, ImageSet? image) => prepare(spec, image);
}

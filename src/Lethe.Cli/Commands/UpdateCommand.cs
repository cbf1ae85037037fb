using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Generations;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe update [NAME] [--watch]: stage the newest generation of the source the machine's spec follows.</summary>
public static class UpdateCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var name = MachineInput.CreateNameArgument();
        var watch = new Option<bool>("--watch") { Description = "Keep going: update again every update.every, in the foreground" };
        var allowSecrets = MachineOptions.CreateAllowSecretsOption();
        var update = new Command("update", "Fetch the source a machine follows (update: in its spec), build or download its new generation and stage it for the next boot")
        {
            spec, allowOutside, name, watch, allowSecrets,
        };
        update.SetAction(async (parse, stop) =>
        {
            var (folder, machine) = Load(parse.GetValue(name), parse.GetValue(spec), parse.GetValue(allowOutside), console);
            var service = Service(folder, console, parse.GetValue(LetheApp.DebugOption), parse.GetValue(allowSecrets));
            if (!parse.GetValue(watch))
            {
                Render(await service.UpdateAsync(machine, stop).ConfigureAwait(false), console);
                return ExitCodes.Success;
            }
            while (true)
            {
                try
                {
                    Render(await service.UpdateAsync(machine, stop).ConfigureAwait(false), console);
                }
                catch (LetheException e) when (e is not UsageException)
                {
                    // A refused channel or an unreachable source is said, and the machine keeps what it has.
                    console.Error.WriteLine($"lethe: {folder.Name}: {e.Message}");
                }
                await Task.Delay(machine.Update!.Every, stop).ConfigureAwait(false);
                (_, machine) = Load(folder.Name, parse.GetValue(spec), parse.GetValue(allowOutside), console);
            }
        });
        return update;
    }

    /// <summary>The machine and its spec: --spec, else the spec lethe up last started it from, else ./lethe.yaml.</summary>
    public static (MachineFolder Folder, MachineSpec Spec) Load(string? name, string? specOption, bool allowOutside, CliConsole console)
    {
        var folder = name is null ? null : MachineInput.Folder(name, null, console);
        var loaded = SpecInput.Load(specOption ?? folder?.RecordedSpecPath, console, allowOutside);
        return (folder ?? MachineInput.Folder(loaded.Name, null, console), loaded);
    }

    public static UpdateService Service(MachineFolder folder, CliConsole console, bool debug, bool allowSecrets) =>
        new(LethePaths.FromEnvironment(), folder, TimeProvider.System,
            new UpdateBuilds(path => SpecInput.Load(path, console), (spec, stop) => ImageInput.GetAsync(spec, console, debug, stop, allowSecrets)),
            line => console.Error.WriteLine($"lethe: {line}"));

    public static void Render(UpdateOutcome outcome, CliConsole console)
    {
        var newest = outcome.Newest;
        var what = $"generation {newest.Number} (image {newest.ImageDigest[..12]}{(newest.SourceRevision is { } revision ? $", {revision[..Math.Min(20, revision.Length)]}" : "")})";
        if (!outcome.Staged)
            console.Error.WriteLine($"lethe: {outcome.Machine} is up to date with {outcome.Source}: {what}");
        else
            console.Error.WriteLine($"lethe: {outcome.Machine}: staged {what} from {outcome.Source}");
        if (!outcome.Running)
        {
            if (outcome.Staged)
                console.Error.WriteLine($"lethe: lethe up {outcome.Machine} boots it");
        }
        else if (outcome.RebootTriggers.Count > 0)
            console.Error.WriteLine($"lethe: a reboot is waiting: generation {outcome.Next} ({string.Join(", ", outcome.RebootTriggers)}); it is never applied without one (lethe reboot {outcome.Machine})");
        else if (outcome.Waiting)
            console.Error.WriteLine($"lethe: generation {outcome.Next} changes the userland only: the next boot takes it, lethe reboot {outcome.Machine} applies it now");
    }
}

using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Generations;
using Lethe.Machine.Run;
using Lethe.Machine.Ssh;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe up [NAME]: boot a long-lived machine in the background and return once it is ready.</summary>
public static class UpCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var name = MachineInput.CreateNameArgument();
        var machine = new MachineOptions();
        var up = new Command("up", "Boot a long-lived machine (wiped at every boot but for its persist allowlist)") { spec, allowOutside, name };
        machine.AddTo(up);
        up.SetAction(async (parse, stop) =>
        {
            var allowOutsideSpecFolder = parse.GetValue(allowOutside);
            var loaded = SpecInput.Load(parse.GetValue(spec), console, allowOutsideSpecFolder);
            var folder = MachineInput.Folder(parse.GetValue(name) ?? loaded.Name, null, console);
            var debug = parse.GetValue(LetheApp.DebugOption);
            var status = await UpAsync(folder, loaded, parse, machine, console, debug, stop, allowOutsideSpecFolder).ConfigureAwait(false);
            console.Error.WriteLine($"lethe: {folder.Name} is up ({status.Timeline})");
            return ExitCodes.Success;
        });
        return up;
    }

    public static async Task<MachineStatus> UpAsync(MachineFolder folder, MachineSpec spec, ParseResult parse, MachineOptions machine, CliConsole console, bool debug,
        CancellationToken stop, bool allowOutsideSpecFolder = false)
    {
        if (folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is already running (stop it with: lethe down {folder.Name})");
        // The SSH keys first: a bad key file is a spec error here (exit 2), before any build, not a failed boot.
        await SshBoot.PrepareAsync(spec, folder, stop).ConfigureAwait(false);
        // Built here, in the foreground with progress; the supervisor then finds it in the cache. A machine that follows
        // a source boots its newest staged generation; the first one is fetched here.
        if (spec.Update is null)
            await machine.BootRequestAsync(parse, spec, folder.Name, console, debug, stop).ConfigureAwait(false);
        else if (new GenerationStore(folder).Read().Newest is null)
            UpdateCommand.Render(await UpdateCommand.Service(folder, console, debug, parse.GetValue(machine.AllowSecrets)).UpdateAsync(spec, stop).ConfigureAwait(false), console);
        string[] forwarded = [.. machine.Forward(parse), .. debug ? ["--debug"] : Array.Empty<string>(),
            .. allowOutsideSpecFolder ? [SpecFolderConfinement.OverrideFlag] : Array.Empty<string>()];
        var self = new SupervisorProgram(Environment.ProcessPath!, [Environment.GetCommandLineArgs()[0]], console.CurrentDirectory);
        var started = await WorkstationStart.StartAsync(folder, spec, self, forwarded, stop).ConfigureAwait(false);
        foreach (var warning in started.Warnings)
            console.Error.WriteLine($"lethe: warning: {warning}");
        return started.Status;
    }
}

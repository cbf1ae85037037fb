using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Run;
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
        // Built here, in the foreground with progress; the supervisor then finds it in the cache.
        await machine.BootRequestAsync(parse, spec, folder.Name, console, debug, stop).ConfigureAwait(false);
        folder.Create();
        if (await PersistDisk.PrepareAsync(folder.PersistDisk, spec.Persist.SizeMiB, stop).ConfigureAwait(false) is { } warning)
            console.Error.WriteLine($"lethe: warning: {warning}");
        string[] forwarded = [.. machine.Forward(parse), .. debug ? ["--debug"] : Array.Empty<string>(),
            .. allowOutsideSpecFolder ? [SpecFolderConfinement.OverrideFlag] : Array.Empty<string>()];
        await using var supervisor = await StartSupervisorAsync(folder, spec.SourcePath, forwarded, console).ConfigureAwait(false);
        supervisor.Detach();
        return await WaitUntilUpAsync(folder, supervisor, stop).ConfigureAwait(false);
    }

    /// <summary>The supervisor is this same program (lethe supervise) in a session of its own, so that it
    /// outlives this command and the terminal. setsid execs in place: the pid we get is the supervisor's.</summary>
    private static Task<HostProcess> StartSupervisorAsync(MachineFolder folder, string? specPath, IEnumerable<string> options, CliConsole console)
    {
        var arguments = new List<string> { "supervise", folder.Name };
        if (specPath is not null)
            arguments.AddRange(["--spec", specPath]);
        arguments.AddRange(options);
        File.WriteAllText(folder.SupervisorLog, "");
        return new HostCommand("/bin/sh")
            .WithArguments(["-c", "exec setsid \"$@\" </dev/null >>\"$0\" 2>&1", folder.SupervisorLog,
                Environment.ProcessPath!, Environment.GetCommandLineArgs()[0], .. arguments])
            .WithWorkingDirectory(console.CurrentDirectory)
            .WithInheritedStreams(HostStreams.Input | HostStreams.Output | HostStreams.Error)
            .StartAsync();
    }

    private static async Task<MachineStatus> WaitUntilUpAsync(MachineFolder folder, HostProcess supervisor, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var status = folder.ReadStatus();
            if (status?.State == MachineStates.Running)
                return status;
            if (status?.State == MachineStates.Failed)
                throw new LetheException($"machine {folder.Name} failed to start: {status.Error} (see lethe logs {folder.Name})");
            if (supervisor.HasExited)
                throw new LetheException($"machine {folder.Name} failed to start: {LastLine(folder.SupervisorLog)}");
            await Task.Delay(100, stop).ConfigureAwait(false);
        }
        throw new LetheException($"machine {folder.Name} was not up within 5 minutes (see lethe logs {folder.Name})");
    }

    private static string LastLine(string path) =>
        File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0) ?? "(no output)" : "(no log)";
}

using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Spec;

namespace Lethe.Machine.Workstation;

/// <summary>How to start this program again as a machine's supervisor (lethe supervise NAME …).</summary>
public sealed record SupervisorProgram(string Program, IReadOnlyList<string> LeadingArguments, string WorkingDirectory);

/// <summary>What <see cref="WorkstationStart.StartAsync"/> reports: the running machine, and lines to show.</summary>
public sealed record WorkstationStarted(MachineStatus Status, IReadOnlyList<string> Warnings);

/// <summary>
/// lethe up's work once the image is built: the machine folder, the persist disk (made or grown), a
/// detached supervisor, and the wait until the supervisor reports the machine running or failed.
/// </summary>
public static class WorkstationStart
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PowerOffWait = TimeSpan.FromSeconds(60);

    public static async Task<WorkstationStarted> StartAsync(MachineFolder folder, MachineSpec spec, SupervisorProgram self,
        IReadOnlyList<string> supervisorOptions, CancellationToken stop)
    {
        if (folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is already running (stop it with: lethe down {folder.Name})");
        folder.Create();
        folder.RecordSpecPath(spec.SourcePath);
        var warnings = new List<string>();
        if (await PersistDisk.PrepareAsync(folder.PersistDisk, spec.Persist.SizeMiB, stop).ConfigureAwait(false) is { } warning)
            warnings.Add(warning);
        await using var supervisor = await StartSupervisorAsync(folder, spec.SourcePath, self, supervisorOptions).ConfigureAwait(false);
        supervisor.Detach();
        return new WorkstationStarted(await WaitUntilUpAsync(folder, supervisor, stop).ConfigureAwait(false), warnings);
    }

    /// <summary>The supervisor is this same program (lethe supervise) in a session of its own, so that it
    /// outlives this command and the terminal. setsid execs in place: the pid we get is the supervisor's.</summary>
    private static Task<HostProcess> StartSupervisorAsync(MachineFolder folder, string? specPath, SupervisorProgram self, IEnumerable<string> options)
    {
        var arguments = new List<string> { "supervise", folder.Name };
        if (specPath is not null)
            arguments.AddRange(["--spec", specPath]);
        arguments.AddRange(options);
        File.WriteAllText(folder.SupervisorLog, "");
        return new HostCommand("/bin/sh")
            .WithArguments(["-c", "exec setsid \"$@\" </dev/null >>\"$0\" 2>&1", folder.SupervisorLog, self.Program, .. self.LeadingArguments, .. arguments])
            .WithWorkingDirectory(self.WorkingDirectory)
            .WithInheritedStreams(HostStreams.Input | HostStreams.Output | HostStreams.Error)
            .StartAsync();
    }

    private static async Task<MachineStatus> WaitUntilUpAsync(MachineFolder folder, HostProcess supervisor, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var status = folder.ReadStatus();
            if (status?.State == MachineStates.Running)
                return status;
            if (status?.State == MachineStates.Failed)
            {
                // The supervisor powers the machine off: up returns once it has, so a failed up leaves nothing running.
                await supervisor.WaitForExitAsync(PowerOffWait).ConfigureAwait(false);
                throw new LetheException($"machine {folder.Name} failed to start: {status.Error} (see lethe logs {folder.Name})");
            }
            if (supervisor.HasExited)
                throw new LetheException($"machine {folder.Name} failed to start: {LastLine(folder.SupervisorLog)}");
            await Task.Delay(100, stop).ConfigureAwait(false);
        }
        throw new LetheException($"machine {folder.Name} was not up within {ReadyTimeout.TotalMinutes:0} minutes (see lethe logs {folder.Name})");
    }

    private static string LastLine(string path) =>
        File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0) ?? "(no output)" : "(no log)";
}

using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Persist;

/// <summary>
/// lethe's own actions as root in a running machine (verify, persist). Programs are named by absolute
/// path (the guest runs root commands with a fixed environment), and anything that writes, reads a
/// user's folder or deletes goes as steps to the guest init, which never follows a link.
/// </summary>
public sealed class GuestRoot(MachineFolder folder)
{
    public const string Shell = "/bin/sh";
    public const string Find = "/usr/bin/find";
    public const string Du = "/usr/bin/du";
    public const string Cat = "/usr/bin/cat";

    /// <summary>Runs a root command; a non-zero exit is an error that names it.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> argv, CancellationToken stop, string? stdin = null)
    {
        if (argv.Count == 0 || !argv[0].StartsWith('/'))
            throw new ArgumentException("a root command names its program by absolute path", nameof(argv));
        var (code, stdout, stderr) = await MachineClient.CaptureAsync(folder, argv, stop, stdin).ConfigureAwait(false);
        if (code != 0)
            throw new LetheException($"{Path.GetFileName(argv[0])} failed as root in {folder.Name} (exit {code}): {FileListing.Shown(stderr.Trim())}");
        return stdout;
    }

    /// <summary>Runs steps in the guest; each gets its own outcome, in order.</summary>
    public async Task<IReadOnlyList<StepOutcome>> StepsAsync(IReadOnlyList<BootStep> steps, CancellationToken stop)
    {
        if (steps.Count == 0)
            return [];
        var output = await RunAsync([SeedLayout.AgentPath, StepJson.Verb], stop, StepJson.Serialize(new StepBatch(steps))).ConfigureAwait(false);
        var report = StepJson.DeserializeReport(output);
        if (report is null || report.Outcomes.Count != steps.Count)
            throw new LetheException($"the guest init of {folder.Name} answered {report?.Outcomes.Count ?? 0} outcomes for {steps.Count} steps");
        return report.Outcomes;
    }

    /// <summary>The mount table as root sees it (/proc/self/mountinfo of a root process).</summary>
    public async Task<IReadOnlyList<MountEntry>> MountsAsync(CancellationToken stop) =>
        MountTable.Parse(await RunAsync([Cat, "/proc/self/mountinfo"], stop).ConfigureAwait(false));
}

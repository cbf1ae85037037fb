namespace Lethe.Machine.Bench;

/// <summary>Warm starts against cold boots: how long each waits for the command (spawn to command start), and how many times faster the restore is.</summary>
/// <param name="ToCommand">The warm kind's spawn-to-command times.</param>
/// <param name="ColdToCommand">The lethe kind's, when it ran.</param>
/// <param name="Speedup">Cold over warm, of the to-command medians.</param>
/// <param name="Command">The command's own time after a restore.</param>
public sealed record WarmStartSummary(Summary ToCommand, Summary? ColdToCommand, double? Speedup, Summary? Command);

/// <summary>
/// Pure: the figures of the warm kind. After a restore the guest's uptime includes its boot before the
/// snapshot, so its timeline (kernel, modules, root) says nothing about this start: the warm kind's phases
/// are the host's marks only, with QEMU's restore and the guest's way to ready as one phase.
/// </summary>
public static class BootWarm
{
    /// <summary>
    /// The line a <c>lethe run --warm</c> printed when it did not restore (it booted cold, or took no snapshot),
    /// or null. Such lines start with "lethe:" and speak of booting cold, of the snapshot or of --warm; a restore
    /// prints nothing on stderr.
    /// </summary>
    public static string? ColdFallback(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("lethe:", StringComparison.Ordinal)
            && (l.Contains("cold", StringComparison.OrdinalIgnoreCase) || l.Contains("snapshot", StringComparison.OrdinalIgnoreCase)
                || l.Contains("--warm", StringComparison.Ordinal)));

    /// <summary>
    /// Why lethe bench cannot bench this spec, or null. With <c>warm: true</c> every <c>lethe run</c> restores, so the
    /// lethe kind would not be a cold boot (a restore prints nothing to tell it by).
    /// </summary>
    public static string? ColdKindProblem(Lethe.Spec.MachineSpec spec) => spec.Warm
        ? "the spec says warm: true, so its lethe run would restore a snapshot, not boot cold; bench a spec without warm: true (the warm kind restores anyway)"
        : null;

    /// <summary>From the parent's spawn of the child to the command's start, by the host's clock; null when the report lacks the mark.</summary>
    public static double? ToCommandMs(BootReport report, double spawnMonotonicMs) =>
        report.CommandStartMs is { } start ? Math.Round(report.ProcessStartMonotonicMs - spawnMonotonicMs + start, 1) : null;

    /// <summary>The warm kind's phases (host marks only); they add up to the wall time; null when the report lacks a mark.</summary>
    public static IReadOnlyList<PhaseTime>? Phases(BootReport report, double spawnMonotonicMs, double wallMs)
    {
        if (report is not { MainEnteredMs: { } main, ImageReadyMs: { } image, QemuStartedMs: { } qemu, ReadyMs: { } ready,
                CommandStartMs: { } commandStart, CommandEndMs: { } commandEnd, QemuExitMs: { } exit })
            return null;
        var offset = report.ProcessStartMonotonicMs - spawnMonotonicMs;
        PhaseTime[] phases =
        [
            new("CLI start", offset + main),
            new("image lookup", image - main),
            new("QEMU start", qemu - image),
            new("restore to ready", ready - qemu),
            new("command start", commandStart - ready),
            new("command", commandEnd - commandStart),
            new("QEMU exit", exit - commandEnd),
            new("CLI exit", wallMs - (offset + exit)),
        ];
        return [.. phases.Select(p => p with { Ms = Math.Round(p.Ms, 1) })];
    }

    /// <summary>Null when no warm sample is there.</summary>
    public static WarmStartSummary? Summarize(IReadOnlyList<BootSample> samples)
    {
        var warm = samples.Where(s => s.Kind == BootKinds.Warm).Select(s => s.ToCommandMs).OfType<double>().ToList();
        if (warm.Count == 0)
            return null;
        var cold = samples.Where(s => s.Kind == BootKinds.Lethe).Select(s => s.ToCommandMs).OfType<double>().ToList();
        var commands = samples.Where(s => s.Kind == BootKinds.Warm).Select(s => s.CommandMs).OfType<double>().ToList();
        var toCommand = BootStatistics.Summarize(warm);
        var coldToCommand = cold.Count > 0 ? BootStatistics.Summarize(cold) : null;
        return new WarmStartSummary(toCommand, coldToCommand,
            coldToCommand is not null && toCommand.MedianMs > 0 ? Math.Round(coldToCommand.MedianMs / toCommand.MedianMs, 2) : null,
            commands.Count > 0 ? BootStatistics.Summarize(commands) : null);
    }
}

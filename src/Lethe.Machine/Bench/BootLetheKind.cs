using System.Diagnostics;
using Lethe.Core;

namespace Lethe.Machine.Bench;

/// <summary>
/// lethe's fast path as a user meets it: <c>lethe run -- true</c>, started as a child process of this same lethe
/// (so the CLI's own start counts), in an empty private folder, with the hidden timing report switched on.
/// Wall time is measured out here, from the child's start to its exit.
/// </summary>
/// <param name="runArguments">What follows the launcher: run, the spec, the machine options, -- true.</param>
public sealed class BootLetheKind(IReadOnlyList<string> runArguments, string privateFolder) : IBootKind
{
    public string Name => BootKinds.Lethe;

    public string Description => "lethe run -- true as a child process (-M microvm, lethe-init, erofs root)";

    public async Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop)
    {
        var work = Directory.CreateDirectory(Path.Combine(privateFolder, $"work-{round}"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;
        var reportPath = Path.Combine(privateFolder, $"report-{round}.json");
        var (program, prefix) = Launcher(Environment.ProcessPath ?? "lethe", Environment.GetCommandLineArgs());
        var command = new HostCommand(program).WithArguments([.. prefix, .. runArguments])
            .WithEnvironment(BootReport.Variable, reportPath).WithWorkingDirectory(work).WithTimeout(TimeSpan.FromMinutes(5));
        var spawn = BootTimings.NowMonotonicMs();
        var clock = Stopwatch.StartNew();
        var result = await command.ExecuteAsync(stop).ConfigureAwait(false);
        var wall = clock.Elapsed.TotalMilliseconds;
        if (result.ExitCode != 0)
            throw new LetheException($"lethe run -- true failed (exit {result.ExitCode}): {LastLine(result.Stderr)}");
        var report = File.Exists(reportPath) ? BootReport.Parse(await File.ReadAllTextAsync(reportPath, stop).ConfigureAwait(false)) : null;
        if (report is null)
            throw new LetheException($"lethe run -- true wrote no timing report: {LastLine(result.Stderr)}");
        var guestReady = BootStatistics.GuestReadyMs(report.GuestTimeline);
        var commandMs = report.CommandEndMs - report.CommandStartMs;
        return new BootSample
        {
            Kind = Name, Round = round, WallMs = Math.Round(wall, 1),
            GuestReadyMs = guestReady, CommandMs = commandMs is { } c ? Math.Round(c, 1) : null,
            HostOverheadMs = guestReady is { } g && commandMs is { } cm ? Math.Round(BootStatistics.HostOverheadMs(wall, g, cm), 1) : null,
            Phases = BootStatistics.LethePhases(report, spawn, wall),
            QemuPeakRssKiB = report.QemuPeakRssKiB, GuestMemoryInUseKiB = report.GuestMemoryInUseKiB,
        };
    }

    /// <summary>
    /// Pure: how to start this same lethe again. Started as "dotnet lethe.dll" it is the runtime's host, then the
    /// program's own assembly. Through its apphost (as the launcher starts it), .NET still reports the assembly
    /// as the first argument, but the apphost alone starts it again; as does a native executable.
    /// </summary>
    public static (string Program, IReadOnlyList<string> Prefix) Launcher(string processPath, IReadOnlyList<string> commandLineArgs) =>
        Path.GetFileName(processPath) == "dotnet" && commandLineArgs.Count > 0 && commandLineArgs[0].EndsWith(".dll", StringComparison.Ordinal)
            ? (processPath, [commandLineArgs[0]])
            : (processPath, []);

    private static string LastLine(string text) =>
        text.Trim() is { Length: > 0 } trimmed ? trimmed.Split('\n')[^1] : "(no message)";
}

using System.Diagnostics;
using Lethe.Core;

namespace Lethe.Machine.Bench;

/// <summary>
/// lethe's fast path as a user meets it: <c>lethe run -- true</c>, started as a child process of this same lethe
/// (so the CLI's own start counts), in an empty private folder, with the hidden timing report switched on.
/// Wall time is measured out here, from the child's start to its exit. The warm kind (<see cref="Warm"/>) is
/// the same run with <c>--warm</c>: a restore of the warm snapshot, which <see cref="PrimeAsync"/> makes sure exists.
/// </summary>
/// <param name="runArguments">What follows the launcher: run, the spec, the machine options, -- true.</param>
public sealed class BootLetheKind(IReadOnlyList<string> runArguments, string privateFolder) : IBootKind
{
    private readonly bool _warm;

    private BootLetheKind(IReadOnlyList<string> runArguments, string privateFolder, bool warm) : this(runArguments, privateFolder) => _warm = warm;

    /// <summary>The warm kind: <paramref name="runArguments"/> (which start with run) with --warm after run.</summary>
    public static BootLetheKind Warm(IReadOnlyList<string> runArguments, string privateFolder) =>
        new(WarmArguments(runArguments), privateFolder, warm: true);

    /// <summary>Pure: run's arguments with --warm added after run.</summary>
    public static IReadOnlyList<string> WarmArguments(IReadOnlyList<string> runArguments) =>
        runArguments.Count > 0 && runArguments[0] == "run"
            ? ["run", "--warm", .. runArguments.Skip(1)]
            : throw new ArgumentException("expected run's arguments", nameof(runArguments));

    public string Name => _warm ? BootKinds.Warm : BootKinds.Lethe;

    public string Description => _warm
        ? "lethe run --warm -- true as a child process: QEMU restores the warm snapshot (taken where the guest asks for its seed) and the guest gets a fresh seed"
        : "lethe run -- true as a child process (-M microvm, lethe-init, erofs root)";

    private string Shown => _warm ? "lethe run --warm -- true" : "lethe run -- true";

    /// <summary>
    /// The warm kind's unmeasured first run: it takes the snapshot when there is none (or restores the one there).
    /// Returns how long it took; throws when the run says it could not take or restore one.
    /// </summary>
    public async Task<TimeSpan> PrimeAsync(TextWriter progress, CancellationToken stop)
    {
        if (!_warm)
            throw new InvalidOperationException("only the warm kind is primed");
        progress.WriteLine("lethe: priming the warm snapshot (one unmeasured lethe run --warm -- true)...");
        var clock = Stopwatch.StartNew();
        var (result, _, _) = await RunAsync("prime", stop).ConfigureAwait(false);
        if (BootWarm.ColdFallback(result.Stderr) is { } line)
            throw new LetheException($"the warm kind has no snapshot to restore: its priming run said \"{line}\" (bench without it: --no-warm)");
        return clock.Elapsed;
    }

    public async Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop)
    {
        var label = round.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (result, wall, spawn) = await RunAsync(label, stop).ConfigureAwait(false);
        // A warm figure that was really a cold boot would lie.
        if (_warm && BootWarm.ColdFallback(result.Stderr) is { } line)
            throw new LetheException($"round {round + 1}: {Shown} did not restore the warm snapshot: \"{line}\"");
        var reportPath = ReportPath(label);
        var report = File.Exists(reportPath) ? BootReport.Parse(await File.ReadAllTextAsync(reportPath, stop).ConfigureAwait(false)) : null;
        if (report is null)
            throw new LetheException($"{Shown} wrote no timing report: {LastLine(result.Stderr)}");
        var commandMs = report.CommandEndMs - report.CommandStartMs;
        var sample = new BootSample
        {
            Kind = Name, Round = round, WallMs = Math.Round(wall, 1),
            CommandMs = commandMs is { } c ? Math.Round(c, 1) : null,
            ToCommandMs = BootWarm.ToCommandMs(report, spawn),
            QemuPeakRssKiB = report.QemuPeakRssKiB, GuestMemoryInUseKiB = report.GuestMemoryInUseKiB,
        };
        // After a restore the guest's uptime includes its boot before the snapshot: no guest phases, no host overhead by it.
        if (_warm)
            return sample with { Phases = BootWarm.Phases(report, spawn, wall) };
        var guestReady = BootStatistics.GuestReadyMs(report.GuestTimeline);
        return sample with
        {
            GuestReadyMs = guestReady,
            HostOverheadMs = guestReady is { } g && commandMs is { } cm ? Math.Round(BootStatistics.HostOverheadMs(wall, g, cm), 1) : null,
            Phases = BootStatistics.LethePhases(report, spawn, wall),
        };
    }

    /// <summary>One child run in its own empty folder (apart from the other kind's, which shares the private folder).</summary>
    private async Task<(HostCommandResult Result, double WallMs, double SpawnMonotonicMs)> RunAsync(string label, CancellationToken stop)
    {
        var work = Directory.CreateDirectory(Path.Combine(privateFolder, $"{Name}-work-{label}"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;
        var (program, prefix) = Launcher(Environment.ProcessPath ?? "lethe", Environment.GetCommandLineArgs());
        var command = new HostCommand(program).WithArguments([.. prefix, .. runArguments])
            .WithEnvironment(BootReport.Variable, ReportPath(label)).WithWorkingDirectory(work).WithTimeout(TimeSpan.FromMinutes(5));
        var spawn = BootTimings.NowMonotonicMs();
        var clock = Stopwatch.StartNew();
        var result = await command.ExecuteAsync(stop).ConfigureAwait(false);
        var wall = clock.Elapsed.TotalMilliseconds;
        if (result.ExitCode != 0)
            throw new LetheException($"{Shown} failed (exit {result.ExitCode}): {LastLine(result.Stderr)}");
        return (result, wall, spawn);
    }

    private string ReportPath(string label) => Path.Combine(privateFolder, $"{Name}-report-{label}.json");

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

using System.Globalization;
using Lethe.Protocol;

namespace Lethe.Machine.Bench;

/// <summary>Pure: lethe bench's statistics and the accounting of lethe's phases; no clock, file or process in here.</summary>
public static class BootStatistics
{
    public static Summary Summarize(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            throw new ArgumentException("no samples to summarize", nameof(values));
        return new Summary(sorted.Count, Median(sorted), sorted[0], sorted[^1]);
    }

    public static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    public static double? MedianOf(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().Order().ToList();
        return present.Count == 0 ? null : Median(present);
    }

    /// <summary>
    /// lethe's phases of one run, from its report and the parent's clock: <paramref name="spawnMonotonicMs"/> is when the
    /// parent started the child and <paramref name="wallMs"/> how long it ran. The phases follow each other without a gap,
    /// so they add up to the wall time exactly; null when the report lacks a mark.
    /// </summary>
    public static IReadOnlyList<PhaseTime>? LethePhases(BootReport report, double spawnMonotonicMs, double wallMs)
    {
        if (report is not { MainEnteredMs: { } main, ImageReadyMs: { } image, QemuStartedMs: { } qemu, ReadyMs: { } ready,
                CommandStartMs: { } commandStart, CommandEndMs: { } commandEnd, QemuExitMs: { } exit })
            return null;
        var offset = report.ProcessStartMonotonicMs - spawnMonotonicMs;
        var guest = GuestPhases(report.GuestTimeline);
        var guestReady = GuestReadyMs(report.GuestTimeline) ?? 0;
        var marks = new List<PhaseTime>
        {
            new("CLI start", offset + main),
            new("image lookup", image - main),
            new("QEMU start", qemu - image),
            // QEMU's own set-up before the guest's clock starts, and the ready message's way to lethe.
            new("QEMU setup + channel", ready - qemu - guestReady),
        };
        marks.AddRange(guest);
        marks.AddRange([
            new("command start", commandStart - ready),
            new("command", commandEnd - commandStart),
            new("QEMU exit", exit - commandEnd),
            new("CLI exit", wallMs - (offset + exit)),
        ]);
        return [.. marks.Select(p => p with { Ms = Math.Round(p.Ms, 1) })];
    }

    /// <summary>The guest's boot by its own clock: kernel, modules, root (image and what follows it), then the rest to ready.</summary>
    public static IReadOnlyList<PhaseTime> GuestPhases(IReadOnlyList<BootPhase> timeline)
    {
        var phases = new List<PhaseTime>();
        double previous = 0;
        foreach (var name in new[] { "kernel", "modules", "root", "ready" })
        {
            if (timeline.FirstOrDefault(p => p.Name == name) is not { } mark)
                continue;
            phases.Add(new PhaseTime(name == "ready" ? "guest to ready" : name, mark.AtMs - previous));
            previous = mark.AtMs;
        }
        return phases;
    }

    public static double? GuestReadyMs(IReadOnlyList<BootPhase> timeline) => timeline.FirstOrDefault(p => p.Name == "ready")?.AtMs;

    /// <summary>Wall − (the guest's ready uptime + the command): what the host adds around the guest's own boot.</summary>
    public static double HostOverheadMs(double wallMs, double guestReadyMs, double commandMs) => wallMs - (guestReadyMs + commandMs);

    /// <summary>The median of each phase over the runs, in the order of the first run.</summary>
    public static IReadOnlyList<PhaseTime> PhaseMedians(IEnumerable<IReadOnlyList<PhaseTime>> runs)
    {
        var list = runs.ToList();
        if (list.Count == 0)
            return [];
        return [.. list[0].Select(p => new PhaseTime(p.Name,
            Math.Round(MedianOf(list.Select(r => r.FirstOrDefault(q => q.Name == p.Name)?.Ms)) ?? 0, 1)))];
    }

    public static IReadOnlyList<KindSummary> SummarizeKinds(IReadOnlyList<BootSample> samples, IReadOnlyList<(string Name, string Description)> kinds) =>
        [.. kinds.Where(k => samples.Any(s => s.Kind == k.Name)).Select(k =>
        {
            var mine = samples.Where(s => s.Kind == k.Name).ToList();
            return new KindSummary(k.Name, k.Description, Summarize(mine.Select(s => s.WallMs)),
                ToMiB(MedianOf(mine.Select(s => (double?)s.QemuPeakRssKiB))), ToMiB(MedianOf(mine.Select(s => (double?)s.GuestMemoryInUseKiB))));
        })];

    /// <summary>The ratios pair by pair of adjacent kinds, slowest first: baseline/lethe, lethe/floor (and any later kind's).</summary>
    public static IReadOnlyList<Ratio> Ratios(IReadOnlyList<KindSummary> kinds, IReadOnlyList<(string Numerator, string Denominator)> pairs) =>
        [.. pairs.Select(p => (n: kinds.FirstOrDefault(k => k.Kind == p.Numerator), d: kinds.FirstOrDefault(k => k.Kind == p.Denominator)))
            .Where(p => p.n is not null && p.d is not null && p.d.Wall.MedianMs > 0)
            .Select(p => new Ratio(p.n!.Kind, p.d!.Kind, Math.Round(p.n.Wall.MedianMs / p.d.Wall.MedianMs, 2)))];

    /// <summary>Issue 10's targets against this run's medians.</summary>
    public static IReadOnlyList<TargetCheck> Targets(IReadOnlyList<KindSummary> kinds, double? hostOverheadMedianMs, int memoryMiB)
    {
        var lethe = kinds.FirstOrDefault(k => k.Kind == BootKinds.Lethe);
        var baseline = kinds.FirstOrDefault(k => k.Kind == BootKinds.Baseline);
        var floor = kinds.FirstOrDefault(k => k.Kind == BootKinds.Floor);
        var checks = new List<TargetCheck>();
        if (lethe is not null && baseline is not null)
        {
            var ratio = baseline.Wall.MedianMs / lethe.Wall.MedianMs;
            var needed = baseline.Wall.MedianMs / 10;
            checks.Add(new TargetCheck("10x the baseline", "baseline / lethe >= 10", $"{F(ratio)}x", ratio >= 10,
                ratio >= 10 ? $"{Ms(needed - lethe.Wall.MedianMs)} to spare" : $"lethe needs {Ms(needed)} (is {Ms(lethe.Wall.MedianMs)}): {Ms(lethe.Wall.MedianMs - needed)} too slow"));
        }
        if (lethe is not null && floor is not null)
        {
            var ratio = lethe.Wall.MedianMs / floor.Wall.MedianMs;
            var allowed = floor.Wall.MedianMs * 1.5;
            checks.Add(new TargetCheck("within 1.5x of the floor", "lethe / floor <= 1.5", $"{F(ratio)}x", ratio <= 1.5,
                ratio <= 1.5 ? $"{Ms(allowed - lethe.Wall.MedianMs)} to spare" : $"lethe may take {Ms(allowed)} (is {Ms(lethe.Wall.MedianMs)}): {Ms(lethe.Wall.MedianMs - allowed)} too slow"));
        }
        if (hostOverheadMedianMs is { } overhead)
            checks.Add(new TargetCheck("host overhead", "< 300 ms", Ms(overhead), overhead < 300,
                overhead < 300 ? $"{Ms(300 - overhead)} to spare" : $"{Ms(overhead - 300)} over"));
        if (lethe?.QemuPeakRssMiB is { } rss)
        {
            var met = rss < 200;
            var note = memoryMiB == 512 ? "" : $" (the target is for a 512 MiB guest; this one had {memoryMiB} MiB)";
            checks.Add(new TargetCheck("QEMU peak RSS", "< 200 MiB (512 MiB guest)", $"{rss:0} MiB", memoryMiB == 512 ? met : null,
                (met ? $"{200 - rss:0} MiB to spare" : $"{rss - 200:0} MiB over") + note));
        }
        return checks;
    }

    private static double? ToMiB(double? kib) => kib is { } k ? Math.Round(k / 1024, 1) : null;

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Ms(double ms) => ms >= 1000 || ms <= -1000
        ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : ms.ToString("0", CultureInfo.InvariantCulture) + " ms";
}

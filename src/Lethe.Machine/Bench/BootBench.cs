namespace Lethe.Machine.Bench;

/// <summary>Every figure of one lethe bench boot run: what the CLI prints as text, markdown or JSON.</summary>
public sealed record BootBenchResult
{
    public required string Command { get; init; }
    public required int Runs { get; init; }
    public required int MemoryMiB { get; init; }
    public required int Cpus { get; init; }
    public required BootHostFacts Host { get; init; }
    public required IReadOnlyList<KindSummary> Kinds { get; init; }
    public required IReadOnlyList<Ratio> Ratios { get; init; }
    public required IReadOnlyList<PhaseTime> LethePhaseMedians { get; init; }
    public Summary? HostOverhead { get; init; }
    public required IReadOnlyList<TargetCheck> Targets { get; init; }
    /// <summary>Seconds the baseline's initramfs took to build in this run; 0 when it came from the cache.</summary>
    public double BaselineBuildSeconds { get; init; }
    /// <summary>The warm kind's waits for the command against the cold ones; null without warm samples.</summary>
    public WarmStartSummary? WarmStart { get; init; }
    /// <summary>The warm kind's phases by the host's clock (medians); empty without warm samples.</summary>
    public IReadOnlyList<PhaseTime> WarmPhaseMedians { get; init; } = [];
    /// <summary>Seconds the warm kind's unmeasured priming run took (it takes the snapshot when there is none); 0 without it.</summary>
    public double WarmPrimingSeconds { get; init; }
    public required IReadOnlyList<BootSample> Samples { get; init; }
}

/// <summary>
/// lethe bench boot: N boots of each kind, interleaved (the kinds' order turns each round, so that no kind
/// always follows the same one), then the statistics. Kinds join by being passed in; the ratio pairs of a kind
/// that did not run are left out.
/// </summary>
public static class BootBench
{
    /// <summary>The ratios printed: each kind against the next faster one, and a warm start against a cold boot and the floor.</summary>
    public static readonly IReadOnlyList<(string Numerator, string Denominator)> DefaultPairs =
        [(BootKinds.Baseline, BootKinds.Lethe), (BootKinds.Lethe, BootKinds.Floor), (BootKinds.Lethe, BootKinds.Warm), (BootKinds.Warm, BootKinds.Floor)];

    /// <summary>Pure: the order of the kinds in round <paramref name="round"/> (0-based).</summary>
    public static IReadOnlyList<T> Rotate<T>(IReadOnlyList<T> kinds, int round) =>
        kinds.Count == 0 ? [] : [.. kinds.Skip(round % kinds.Count), .. kinds.Take(round % kinds.Count)];

    public static async Task<IReadOnlyList<BootSample>> MeasureAsync(IReadOnlyList<IBootKind> kinds, int runs, TextWriter progress, CancellationToken stop)
    {
        var samples = new List<BootSample>();
        for (var round = 0; round < runs; round++)
        {
            foreach (var kind in Rotate(kinds, round))
            {
                var sample = await kind.MeasureOnceAsync(round, stop).ConfigureAwait(false);
                samples.Add(sample);
                progress.WriteLine($"lethe: round {round + 1}/{runs}, {kind.Name}: {BootStatistics.Ms(sample.WallMs)}");
            }
        }
        return samples;
    }

    /// <summary>Pure: the statistics of the samples.</summary>
    public static BootBenchResult Summarize(string command, int runs, int memoryMiB, int cpus, BootHostFacts host, IReadOnlyList<IBootKind> kinds,
        IReadOnlyList<BootSample> samples, double baselineBuildSeconds, IReadOnlyList<(string, string)>? pairs = null, double warmPrimingSeconds = 0)
    {
        var summaries = BootStatistics.SummarizeKinds(samples, [.. kinds.Select(k => (k.Name, k.Description))]);
        var lethe = samples.Where(s => s.Kind == BootKinds.Lethe).ToList();
        var overheads = lethe.Select(s => s.HostOverheadMs).OfType<double>().ToList();
        var overhead = overheads.Count > 0 ? BootStatistics.Summarize(overheads) : null;
        return new BootBenchResult
        {
            Command = command, Runs = runs, MemoryMiB = memoryMiB, Cpus = cpus, Host = host,
            Kinds = summaries,
            Ratios = BootStatistics.Ratios(summaries, pairs ?? DefaultPairs),
            LethePhaseMedians = BootStatistics.PhaseMedians(lethe.Select(s => s.Phases).OfType<IReadOnlyList<PhaseTime>>()),
            HostOverhead = overhead,
            Targets = BootStatistics.Targets(summaries, overhead?.MedianMs, memoryMiB),
            BaselineBuildSeconds = Math.Round(baselineBuildSeconds, 1),
            WarmStart = BootWarm.Summarize(samples),
            WarmPhaseMedians = BootStatistics.PhaseMedians(samples.Where(s => s.Kind == BootKinds.Warm).Select(s => s.Phases).OfType<IReadOnlyList<PhaseTime>>()),
            WarmPrimingSeconds = Math.Round(warmPrimingSeconds, 1),
            Samples = samples,
        };
    }
}

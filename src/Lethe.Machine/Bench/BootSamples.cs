namespace Lethe.Machine.Bench;

/// <summary>The kinds of boot lethe bench compares. A new kind adds its name here and an <see cref="IBootKind"/>.</summary>
public static class BootKinds
{
    public const string Lethe = "lethe";
    public const string Baseline = "baseline";
    public const string Floor = "floor";
    /// <summary>lethe run --warm: a restore of the warm snapshot, not a boot.</summary>
    public const string Warm = "warm";
}

/// <summary>One way of booting a machine to a command, measured once per call. lethe bench interleaves the kinds it is given.</summary>
public interface IBootKind
{
    /// <summary>One of <see cref="BootKinds"/> (or a later kind's own name).</summary>
    string Name { get; }

    /// <summary>One line for the output: what this kind boots and how.</summary>
    string Description { get; }

    Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop);
}

/// <summary>A phase of lethe's boot and its length.</summary>
public sealed record PhaseTime(string Name, double Ms);

/// <summary>One measured boot. Wall time is measured from outside (lethe bench's own clock), the rest as far as the kind knows it.</summary>
public sealed record BootSample
{
    public required string Kind { get; init; }
    public required int Round { get; init; }
    public required double WallMs { get; init; }
    /// <summary>The guest's uptime when it reported ready (lethe), or when the command ran (baseline, if known).</summary>
    public double? GuestReadyMs { get; init; }
    public double? CommandMs { get; init; }
    /// <summary>From the child's spawn to the command's start by the host's clock (lethe and warm): what a user waits for.</summary>
    public double? ToCommandMs { get; init; }
    /// <summary>Wall − (guest ready uptime + command): what the host adds around the guest's own boot.</summary>
    public double? HostOverheadMs { get; init; }
    public IReadOnlyList<PhaseTime>? Phases { get; init; }
    public long? QemuPeakRssKiB { get; init; }
    public long? GuestMemoryInUseKiB { get; init; }
}

public sealed record Summary(int Count, double MedianMs, double MinMs, double MaxMs);

public sealed record KindSummary(string Kind, string Description, Summary Wall, double? QemuPeakRssMiB, double? GuestMemoryInUseMiB);

/// <summary>Median wall time of one kind over another's: how many times slower <see cref="Numerator"/> is.</summary>
public sealed record Ratio(string Numerator, string Denominator, double Value);

/// <summary>One of issue 10's targets: whether this run met it, and by how much it missed or had to spare.</summary>
public sealed record TargetCheck(string Name, string Goal, string Measured, bool? Met, string Margin);

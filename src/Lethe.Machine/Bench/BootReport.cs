using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Protocol;

namespace Lethe.Machine.Bench;

/// <summary>
/// lethe run's hidden timing report, written when <see cref="Variable"/> names a file (lethe bench sets it
/// for its child runs). Host marks are milliseconds since lethe's own process started (the kernel's start
/// time of the process, so the launcher and the runtime's start are inside "CLI start"); the guest's
/// timeline is its uptime. It holds no argv, no environment, no path: nothing a secret could ride in.
/// </summary>
public sealed record BootReport
{
    public const string Variable = "LETHE_BENCH_REPORT";

    /// <summary>The process start on the host's monotonic clock, to line the report up with a parent's clock.</summary>
    public required double ProcessStartMonotonicMs { get; init; }
    public double? MainEnteredMs { get; init; }
    public double? ImageReadyMs { get; init; }
    public double? QemuStartedMs { get; init; }
    public double? ReadyMs { get; init; }
    public double? CommandStartMs { get; init; }
    public double? CommandEndMs { get; init; }
    public double? QemuExitMs { get; init; }
    public IReadOnlyList<BootPhase> GuestTimeline { get; init; } = [];
    /// <summary>QEMU's VmHWM after the command, before power-off.</summary>
    public long? QemuPeakRssKiB { get; init; }
    /// <summary>The guest's MemTotal − MemAvailable when it reported ready.</summary>
    public long? GuestMemoryInUseKiB { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BootReport? Parse(string json) => JsonSerializer.Deserialize<BootReport>(json, Json);
}

/// <summary>Pure readers of the /proc files the report needs.</summary>
public static class ProcFiles
{
    /// <summary>USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux architecture lethe runs on.</summary>
    public const int ClockTicksPerSecond = 100;

    /// <summary>Field 22 (starttime, clock ticks since boot) of /proc/PID/stat, whose second field (comm) may hold spaces and parentheses.</summary>
    public static long? StartTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the comm: field 3 (state) is fields[0], so field 22 is fields[19].
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    public static double TicksToMs(long ticks) => ticks * 1000.0 / ClockTicksPerSecond;

    /// <summary>A "Name:   N kB" line of /proc/PID/status (VmHWM, VmRSS), in KiB.</summary>
    public static long? StatusKiB(string status, string field)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal))
                continue;
            var value = line[(field.Length + 1)..].Trim();
            if (value.EndsWith(" kB", StringComparison.Ordinal))
                value = value[..^3].Trim();
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : null;
        }
        return null;
    }
}

using System.Diagnostics;
using Lethe.Protocol;

namespace Lethe.Machine.Bench;

/// <summary>
/// Collects the marks of one lethe run for its <see cref="BootReport"/> and writes the report when the
/// run ends: created exclusively (never through a planted file or link), readable by its owner only.
/// </summary>
public sealed class BootTimings
{
    private readonly string _reportPath;
    private readonly double _processStartMs;
    private BootReport _report;

    /// <param name="mainEnteredTimestamp">A <see cref="Stopwatch"/> timestamp taken as the program's code began.</param>
    public BootTimings(string reportPath, long mainEnteredTimestamp)
    {
        _reportPath = reportPath;
        _processStartMs = ReadStartMs(Environment.ProcessId) ?? MonotonicMs(Stopwatch.GetTimestamp());
        _report = new BootReport { ProcessStartMonotonicMs = _processStartMs, MainEnteredMs = Since(MonotonicMs(mainEnteredTimestamp)) };
    }

    /// <summary>Null unless <see cref="BootReport.Variable"/> names a report file.</summary>
    public static BootTimings? FromEnvironment(long mainEnteredTimestamp) =>
        Environment.GetEnvironmentVariable(BootReport.Variable) is { Length: > 0 } path ? new BootTimings(path, mainEnteredTimestamp) : null;

    /// <summary>Stopwatch timestamps are CLOCK_MONOTONIC on Linux, the clock /proc's start times count on a host that never suspends.</summary>
    public static double MonotonicMs(long timestamp) => timestamp * 1000.0 / Stopwatch.Frequency;

    public static double NowMonotonicMs() => MonotonicMs(Stopwatch.GetTimestamp());

    public void ImageReady() => _report = _report with { ImageReadyMs = Now() };

    public void Ready(ControlMessage ready, int qemuPid) => _report = _report with
    {
        ReadyMs = Now(),
        QemuStartedMs = ReadStartMs(qemuPid) is { } started ? Since(started) : null,
        GuestTimeline = ready.Timeline ?? [],
        GuestMemoryInUseKiB = ready.MemoryInUseKiB,
    };

    public void CommandStart() => _report = _report with { CommandStartMs = Now() };

    /// <summary>Also takes QEMU's peak RSS, while it still runs.</summary>
    public void CommandEnd(int qemuPid) => _report = _report with
    {
        CommandEndMs = Now(),
        QemuPeakRssKiB = ReadProc($"/proc/{qemuPid}/status") is { } status ? ProcFiles.StatusKiB(status, "VmHWM") : null,
    };

    /// <summary>Marks QEMU's exit and writes the report; a report that cannot be written is one line, never a failed run.</summary>
    public void QemuExited(TextWriter diagnostics)
    {
        _report = _report with { QemuExitMs = Now() };
        try
        {
            using var file = new FileStream(_reportPath, new FileStreamOptions
                { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            file.Write(System.Text.Encoding.UTF8.GetBytes(_report.ToJson()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.WriteLine($"lethe: the timing report ({BootReport.Variable}) was not written: {e.Message}");
        }
    }

    private double Now() => Since(NowMonotonicMs());

    private double Since(double monotonicMs) => Math.Round(monotonicMs - _processStartMs, 1);

    private static double? ReadStartMs(int pid) =>
        ReadProc($"/proc/{pid}/stat") is { } stat && ProcFiles.StartTicks(stat) is { } ticks ? ProcFiles.TicksToMs(ticks) : null;

    private static string? ReadProc(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

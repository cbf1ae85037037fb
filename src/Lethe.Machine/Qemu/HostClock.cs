using System.Globalization;

namespace Lethe.Machine.Qemu;

/// <summary>
/// Under TCG the guest's TSC ticks at the host's rate, but the guest kernel has no reliable way to
/// measure it: on a busy host its PIT calibration fails, it marks the TSC unstable and can stall for
/// minutes. Telling it the rate (tsc_early_khz) removes that race and the calibration time.
/// </summary>
public static class HostClock
{
    public static int? TscKhz(string cpuinfo)
    {
        var line = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
        if (line is null || !double.TryParse(line[(line.IndexOf(':') + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz) || mhz <= 0)
            return null;
        return (int)Math.Round(mhz * 1000);
    }

    public static int? ReadTscKhz()
    {
        try
        {
            return TscKhz(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (IOException)
        {
            return null;
        }
    }
}

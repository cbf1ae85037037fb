using Lethe.Core;

namespace Lethe.Machine.Bench;

/// <summary>The host a bench ran on, for --json and the README table.</summary>
public sealed record BootHostFacts(string CpuModel, int Cores, string Accelerator, string QemuVersion, string HostKernel, string LetheVersion, string Date)
{
    public static async Task<BootHostFacts> ReadAsync(string accelerator, string letheVersion, CancellationToken stop)
    {
        var qemu = await new HostCommand("qemu-system-x86_64").WithArguments("--version").WithTimeout(TimeSpan.FromSeconds(30))
            .ExecuteAsync(stop).ConfigureAwait(false);
        return new BootHostFacts(
            ModelOf(Read("/proc/cpuinfo")) ?? "unknown",
            Environment.ProcessorCount,
            accelerator,
            qemu.Stdout.Split('\n')[0].Trim(),
            Read("/proc/sys/kernel/osrelease").Trim(),
            letheVersion,
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Pure: the first "model name" of /proc/cpuinfo.</summary>
    public static string? ModelOf(string cpuinfo) =>
        cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line && line.IndexOf(':') is var colon and >= 0
            ? line[(colon + 1)..].Trim()
            : null;

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}

using System.Globalization;

namespace Lethe.Protocol;

/// <summary>Pure: the memory a Linux system has in use, from the text of /proc/meminfo.</summary>
public static class GuestMemory
{
    /// <summary>MemTotal − MemAvailable in KiB; null when either line is missing.</summary>
    public static long? InUseKiB(string meminfo)
    {
        long? total = null, available = null;
        foreach (var line in meminfo.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                total = Kib(line);
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                available = Kib(line);
        }
        return total is { } t && available is { } a ? t - a : null;
    }

    /// <summary>MemTotal in KiB; null when the line is missing.</summary>
    public static long? TotalKiB(string meminfo) =>
        meminfo.Split('\n').FirstOrDefault(line => line.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line ? Kib(line) : null;

    private static long? Kib(string line)
    {
        var value = line[(line.IndexOf(':') + 1)..].Trim();
        if (value.EndsWith(" kB", StringComparison.Ordinal))
            value = value[..^3].Trim();
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : null;
    }
}

using Lethe.Protocol;

namespace Lethe.Machine.Persist;

/// <summary>One line of /proc/self/mountinfo: the device, the folder of that filesystem that is mounted, where, and its type.</summary>
public sealed record MountEntry(string Device, string Root, string MountPoint, string FsType);

/// <summary>Pure: parses /proc/self/mountinfo, and says whether a kept path is backed by the persist disk.</summary>
public static class MountTable
{
    public static IReadOnlyList<MountEntry> Parse(string mountinfo)
    {
        var entries = new List<MountEntry>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 6 || separator + 1 >= fields.Length)
                continue;
            entries.Add(new MountEntry(fields[2], Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1]));
        }
        return entries;
    }

    /// <summary>
    /// Whether <paramref name="kept"/> is a mount point whose content is the persist disk's copy of it
    /// (its root is /data/… on the device mounted at /persist). The last mount on a point is the one seen.
    /// </summary>
    public static bool IsBacked(IReadOnlyList<MountEntry> mounts, string kept)
    {
        var disk = mounts.LastOrDefault(m => m.MountPoint == SeedLayout.PersistMount);
        var seen = mounts.LastOrDefault(m => m.MountPoint == kept);
        return disk is not null && seen is not null && seen.Device == disk.Device
            && seen.Root == SeedLayout.PersistData[SeedLayout.PersistMount.Length..] + kept;
    }

    /// <summary>The kernel writes space, tab, newline and backslash in mount paths as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && field.Substring(i + 1, 3).All(c => c is >= '0' and <= '7'))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }
}

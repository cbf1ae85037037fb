namespace Lethe.Machine.Qemu;

/// <summary>
/// Pure: the ids a root-run lethe gives QEMU, one per run, like systemd's DynamicUser. The range,
/// 1880096768–1880162303 (0x70100000–0x7010FFFF), lies in the span systemd documents as unassigned
/// (above its container range, 524288–1879048191, below its foreign range at 0x7FFE0000), far above
/// useradd's regular and subordinate ids. An id is used as both uid and gid, and only if no account,
/// group, subordinate range or running process has it.
/// </summary>
public static class DynamicAccountRange
{
    public const int First = 0x7010_0000;
    public const int Count = 0x1_0000;
    public const int Last = First + Count - 1;

    /// <summary>The first free id at or after <paramref name="startOffset"/> (wrapping), or null if all are taken.</summary>
    public static int? Pick(Func<int, bool> isTaken, int startOffset)
    {
        for (var i = 0; i < Count; i++)
        {
            var id = First + (int)((uint)(startOffset + i) % Count);
            if (!isTaken(id))
                return id;
        }
        return null;
    }

    public static bool Contains(int id) => id is >= First and <= Last;
}

/// <summary>Pure: the ids the host's account files and processes already use.</summary>
public static class HostIds
{
    /// <summary>Field 3 (uid, or gid for /etc/group) and, for /etc/passwd, field 4 (the primary gid).</summary>
    public static IEnumerable<int> OfAccountFile(string text) =>
        text.Split('\n').Select(line => line.Split(':')).Where(f => f.Length >= 3)
            .SelectMany(f => f.Skip(2).Take(2))
            .Select(v => int.TryParse(v, out var id) ? id : -1).Where(id => id >= 0);

    /// <summary>The primary gid of <paramref name="uid"/> in /etc/passwd, or null when it has no entry.</summary>
    public static int? PrimaryGroupOf(string passwd, int uid) =>
        passwd.Split('\n').Select(line => line.Split(':'))
            .Where(f => f.Length >= 4 && f[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => int.TryParse(f[3], out var gid) ? gid : (int?)null).FirstOrDefault();

    /// <summary>/etc/subuid or /etc/subgid: NAME:FIRST:COUNT per line.</summary>
    public static IEnumerable<(long First, long Count)> SubordinateRanges(string text) =>
        text.Split('\n').Select(line => line.Split(':')).Where(f => f.Length == 3)
            .Select(f => long.TryParse(f[1], out var first) && long.TryParse(f[2], out var count) ? (first, count) : (-1, 0))
            .Where(r => r.Item1 >= 0);

    /// <summary>The Uid: and Gid: lines of /proc/PID/status (real, effective, saved, filesystem) and its Groups:.</summary>
    public static IEnumerable<int> OfProcessStatus(string status) =>
        status.Split('\n').Where(l => l.StartsWith("Uid:", StringComparison.Ordinal) || l.StartsWith("Gid:", StringComparison.Ordinal) || l.StartsWith("Groups:", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf(':') + 1)..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Select(v => int.TryParse(v, out var id) ? id : -1).Where(id => id >= 0);
}

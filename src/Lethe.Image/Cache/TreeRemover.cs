using Lethe.Core;

namespace Lethe.Image.Cache;

/// <summary>
/// Deletes a build folder safely. A killed mmdebstrap can leave /proc, /sys or /dev mounted inside its
/// chroot; deleting through such a mount would delete host files. So leftover mounts are detached first,
/// and <c>rm --one-file-system</c> refuses to cross into any that remain.
/// </summary>
public static class TreeRemover
{
    public static async Task RemoveAsync(string folder, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(folder))
            return;
        var full = Path.GetFullPath(folder).TrimEnd('/');
        foreach (var mountPoint in MountPointsUnder(full, File.Exists("/proc/self/mountinfo") ? File.ReadAllText("/proc/self/mountinfo") : ""))
            await new HostCommand("umount").WithArguments("--lazy", mountPoint).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        await new HostCommand("rm").WithArguments("-rf", "--one-file-system", "--", full).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Mount points at or below <paramref name="folder"/>, deepest first (pure; reads mountinfo text).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string folder, string mountInfo) =>
    [
        .. mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(mountPoint => mountPoint == folder || mountPoint.StartsWith(folder + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(mountPoint => mountPoint.Length),
    ];

    /// <summary>mountinfo writes space, tab, newline and backslash as octal escapes (\040 …).</summary>
    private static string Unescape(string field)
    {
        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.Substring(i + 1, 3).All(c => c is >= '0' and <= '7'))
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

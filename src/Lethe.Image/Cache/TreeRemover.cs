using Lethe.Core;
using Lethe.Image.Rootfs;

namespace Lethe.Image.Cache;

/// <summary>
/// Deletes a build folder safely. A killed mmdebstrap can leave /proc, /sys or /dev mounted inside its
/// chroot; deleting through such a mount would delete host files. So leftover mounts are detached first,
/// and <c>rm --one-file-system</c> refuses to cross into any that remain. A tree an ordinary user built
/// belongs to the user's subordinate ids, so it is removed in the build's user namespace (where
/// mmdebstrap's own mounts never appeared).
/// </summary>
public static class TreeRemover
{
    public static Task RemoveAsync(string folder, CancellationToken cancellationToken = default) =>
        RemoveAsync(folder, TreeAccess.ForThisProcess(), cancellationToken);

    public static async Task RemoveAsync(string folder, TreeAccess access, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
            return;
        var full = Path.GetFullPath(folder).TrimEnd('/');
        var remove = new HostCommand("rm").WithArguments("-rf", "--one-file-system", "--", full);
        if (!access.AsRoot)
        {
            // A folder that holds only the user's own files needs no namespace (nor a subordinate range).
            if ((await access.Wrap(remove).ExecuteAsync(cancellationToken).ConfigureAwait(false)).ExitCode != 0)
                await remove.RunAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        foreach (var mountPoint in MountPointsUnder(full, File.Exists("/proc/self/mountinfo") ? File.ReadAllText("/proc/self/mountinfo") : ""))
            await new HostCommand("umount").WithArguments("--lazy", mountPoint).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        await remove.RunAsync(cancellationToken).ConfigureAwait(false);
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

using Lethe.Protocol;

namespace Lethe.Machine.Persist;

/// <summary>
/// "What did I forget to persist?": every file written since boot outside the allowlist, which the next
/// boot will lose, grouped by directory, largest first. Pure: the input is a listing of the overlay's
/// writable layers (whose paths are mapped back to where the user sees them) and of /tmp.
/// </summary>
public static class PersistDiff
{
    public sealed record LostFile(string Path, long Bytes);

    /// <summary>A directory's lost files (largest first) and the image files deleted from it.</summary>
    public sealed record Group(string Directory, long Bytes, IReadOnlyList<LostFile> Files, IReadOnlyList<string> Deleted);

    /// <summary>Files lethe's init itself writes at every boot: not the user's to persist.</summary>
    public static readonly IReadOnlyList<string> WrittenByLethe = ["/etc/hostname", "/etc/hosts", "/etc/machine-id", "/etc/ssh", "/etc/systemd/system/lethe-agent.service", "/etc/systemd/system/multi-user.target.wants/lethe-agent.service", "/persist"];

    /// <summary>Where each scanned tree appears in the machine.</summary>
    public static readonly IReadOnlyList<(string Scanned, string SeenAt)> Layers =
    [
        (SeedLayout.RootUpperView + "/upper", "/"),
        (SeedLayout.HomeUpperView + "/upper", "/home"),
        ("/tmp", "/tmp"),
    ];

    public static string GuestPath(string scanned)
    {
        foreach (var (layer, seenAt) in Layers)
        {
            if (!FileListing.IsWithin(scanned, layer))
                continue;
            var path = seenAt.TrimEnd('/') + scanned[layer.Length..];
            return path.Length > 0 ? path : "/";
        }
        return scanned;
    }

    /// <summary>Groups with the most bytes first; within a group, the largest file first.</summary>
    public static IReadOnlyList<Group> Summarize(IEnumerable<ListedFile> listing, IReadOnlyList<string> allowlist) =>
        listing
            .Where(f => !f.IsDirectory)
            .Select(f => f with { Path = GuestPath(f.Path) })
            .Where(f => !allowlist.Any(kept => FileListing.IsWithin(f.Path, kept)))
            .Where(f => !WrittenByLethe.Any(own => FileListing.IsWithin(f.Path, own)))
            .GroupBy(f => Parent(f.Path))
            .Select(g =>
            {
                var files = g.Where(f => !f.IsWhiteout).OrderByDescending(f => f.Size).ThenBy(f => f.Path, StringComparer.Ordinal)
                    .Select(f => new LostFile(f.Path, f.Size)).ToList();
                var deleted = g.Where(f => f.IsWhiteout).Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
                return new Group(g.Key, files.Sum(f => f.Bytes), files, deleted);
            })
            .OrderByDescending(g => g.Bytes)
            .ThenBy(g => g.Directory, StringComparer.Ordinal)
            .ToList();

    private static string Parent(string path) => path.LastIndexOf('/') is var i and > 0 ? path[..i] : "/";
}

using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Persist;

/// <summary>
/// Entries on the persist disk that the allowlist no longer names: pure. The input lists the disk's
/// data tree as the guest's find printed it (/persist/data/etc/x). Only entries that lie, as written,
/// strictly below the data folder and are normalised paths are considered; anything else cannot come
/// from find and is refused, never deleted. A link is an entry like any other: it is removed, never
/// followed.
/// </summary>
public static class PersistGc
{
    /// <summary>An entry to delete, as the machine sees it (/persist/data/etc/x → /etc/x).</summary>
    public sealed record Orphan(string Path, long Bytes, int Files);

    public sealed record Findings(IReadOnlyList<Orphan> Orphans, IReadOnlyList<string> Refused);

    public static Findings Find(IEnumerable<ListedFile> listing, IReadOnlyList<string> allowlist)
    {
        var refused = new List<string>();
        var files = new List<ListedFile>();
        foreach (var entry in listing)
        {
            if (GuestPaths.IsStrictlyBelow(entry.Path, SeedLayout.PersistData))
                files.Add(entry with { Path = entry.Path[SeedLayout.PersistData.Length..] });
            else
                refused.Add(entry.Path);
        }
        bool Kept(string path) => allowlist.Any(kept => FileListing.IsWithin(path, kept));
        bool LeadsToKept(string path) => allowlist.Any(kept => FileListing.IsWithin(kept, path));
        var orphans = files
            .Where(f => !Kept(f.Path) && !LeadsToKept(f.Path))
            .Select(f => f.Path)
            .ToHashSet(StringComparer.Ordinal);
        // Report only the topmost: an orphaned folder stands for everything below it.
        var topmost = orphans.Where(p => !orphans.Any(other => other != p && FileListing.IsWithin(p, other))).Order(StringComparer.Ordinal);
        return new Findings(topmost.Select(root =>
        {
            var inside = files.Where(f => FileListing.IsWithin(f.Path, root)).ToList();
            return new Orphan(root, inside.Sum(f => f.Size), inside.Count(f => !f.IsDirectory));
        }).ToList(), refused);
    }

    public static IReadOnlyList<Orphan> Orphans(IEnumerable<ListedFile> listing, IReadOnlyList<string> allowlist) =>
        Find(listing, allowlist).Orphans;

    /// <summary>The guest steps that delete the orphans: each confined to the data folder, links removed and not followed.</summary>
    public static IReadOnlyList<BootStep> Removal(IEnumerable<Orphan> orphans) =>
        orphans.Select(o => SeedLayout.PersistData + o.Path)
            .Select(path => GuestPaths.IsStrictlyBelow(path, SeedLayout.PersistData)
                ? new RemoveEntry(path, SeedLayout.PersistData)
                : throw new ArgumentException($"{path} is not below {SeedLayout.PersistData}"))
            .ToList<BootStep>();
}

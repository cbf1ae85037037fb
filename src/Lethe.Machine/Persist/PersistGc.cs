namespace Lethe.Machine.Persist;

/// <summary>
/// Entries on the persist disk that the allowlist no longer names: pure. The input lists the disk's
/// data tree with paths as the machine sees them (/persist/data/etc/x → /etc/x).
/// </summary>
public static class PersistGc
{
    public sealed record Orphan(string Path, long Bytes, int Files);

    public static IReadOnlyList<Orphan> Orphans(IEnumerable<ListedFile> listing, IReadOnlyList<string> allowlist)
    {
        var files = listing.ToList();
        bool Kept(string path) => allowlist.Any(kept => FileListing.IsWithin(path, kept));
        bool LeadsToKept(string path) => allowlist.Any(kept => FileListing.IsWithin(kept, path));
        var orphans = files
            .Where(f => !Kept(f.Path) && !LeadsToKept(f.Path))
            .Select(f => f.Path)
            .ToList();
        // Report only the topmost: an orphaned folder stands for everything below it.
        var topmost = orphans.Where(p => !orphans.Any(other => other != p && FileListing.IsWithin(p, other))).Order(StringComparer.Ordinal);
        return topmost.Select(root =>
        {
            var inside = files.Where(f => FileListing.IsWithin(f.Path, root)).ToList();
            return new Orphan(root, inside.Sum(f => f.Size), inside.Count(f => !f.IsDirectory));
        }).ToList();
    }
}

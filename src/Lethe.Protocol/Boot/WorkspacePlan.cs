namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: how the guest mounts the shared workspace (virtio-9p). rw: the host folder itself. overlay:
/// the host folder read-only below a tmpfs, so the guest sees the host tree and its writes stay in RAM.
/// Both nosuid,nodev: nothing from the host folder can raise privileges in the guest.
/// </summary>
public static class WorkspacePlan
{
    public static readonly IReadOnlyList<string> Modules = ["9p", "9pnet_virtio"];

    public const string OverlayLower = "/run/lethe/workspace/lower";
    public const string OverlayWritable = "/run/lethe/workspace/rw";

    /// <summary>
    /// cache=mmap (Linux 6.1): names found are kept in the guest's dentry cache (never names not found),
    /// but every stat asks the host and reads and writes go straight to it, so edits made on the host
    /// while the machine runs are seen at once; only pages a guest program mmaps are cached, which is
    /// what makes shared writable mmap work at all. Measured against cache=none (every lookup walks
    /// each path component on the host), and against cache=loose, which serves stat and file data from
    /// the guest's cache indefinitely (host edits may stay unseen) and refuses to write a file created
    /// read-only (cp of a 0444 file fails with EACCES). msize: the virtio transport's limit (512000).
    /// </summary>
    public const string NineP = "trans=virtio,version=9p2000.L,msize=512000,cache=mmap";

    public static IReadOnlyList<BootStep> For(SharedFolder share, string newRoot)
    {
        var target = newRoot + share.At;
        var hidden = MountOptions.NoSuid | MountOptions.NoDev;
        if (!share.Overlay)
            return [new Mount(share.Tag, target, "9p", hidden, NineP)];
        var lower = newRoot + OverlayLower;
        var writable = newRoot + OverlayWritable;
        return
        [
            new Mount(share.Tag, lower, "9p", hidden | MountOptions.ReadOnly, NineP),
            new Mount("tmpfs", writable, "tmpfs", hidden, "mode=0755"),
            new MakeDirectory($"{writable}/upper", 0b111_111_111),
            new MakeDirectory($"{writable}/work", 0b111_101_101),
            new Mount("overlay", target, "overlay", hidden, $"lowerdir={lower},upperdir={writable}/upper,workdir={writable}/work"),
        ];
    }
}

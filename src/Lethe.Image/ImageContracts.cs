using Lethe.Spec;

namespace Lethe.Image;

/// <param name="GuestInitBinary">The guest init program (NativeAOT) to put at /init in the initramfs.</param>
/// <param name="Force">Rebuild even when the cache has the image.</param>
public sealed record ImageBuildRequest(MachineSpec Spec, string GuestInitBinary, bool Force = false);

/// <summary>A built image: the three files QEMU needs, in one cache folder named by <see cref="Digest"/>.</summary>
/// <param name="Packages">Installed packages as name=version, sorted.</param>
/// <param name="RootfsKey">The key of the rootfs part (root file system and kernel) the image is made of: images that
/// differ only in their guest init share it.</param>
public sealed record ImageSet(
    string Digest,
    string Directory,
    string RootfsPath,
    string KernelPath,
    string InitramfsPath,
    string KernelVersion,
    IReadOnlyList<string> Packages,
    bool FromCache,
    string? RootfsKey = null);

/// <summary>A step of an image build, for progress display. <see cref="Detail"/> is a line of tool output.</summary>
public sealed record BuildProgress(string Phase, string? Detail = null);

/// <summary>One way a rebuilt image differs from the cached one.</summary>
/// <param name="File">rootfs.erofs, vmlinux or initramfs.cpio.</param>
/// <param name="PathInside">The first differing path inside the image, when it could be found.</param>
public sealed record ImageDifference(string File, string? PathInside, string Description);

/// <summary>The outcome of <c>lethe build --check</c>: whether a rebuild gives byte-identical files.</summary>
public sealed record BuildCheckResult(bool Identical, string Digest, IReadOnlyList<ImageDifference> Differences);

/// <summary>The file names inside an image set folder.</summary>
public static class ImageFiles
{
    public const string Rootfs = "rootfs.erofs";
    public const string Kernel = "vmlinux";
    public const string Initramfs = "initramfs.cpio";
    public const string Manifest = "manifest.json";
    public static readonly IReadOnlyList<string> Compared = [Rootfs, Kernel, Initramfs];
}

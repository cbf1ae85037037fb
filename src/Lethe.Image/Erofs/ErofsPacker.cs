using System.Globalization;
using Lethe.Core;
using Lethe.Image.Keys;
using Lethe.Image.Rootfs;

namespace Lethe.Image.Erofs;

/// <summary>
/// Packs a rootfs tree into a read-only erofs image, byte for byte the same for the same tree:
/// a fixed UUID from the key, and SOURCE_DATE_EPOCH, with which mkfs.erofs clamps every newer
/// timestamp (package files keep their own, older, mtimes). Uncompressed: the guest reads it directly.
/// </summary>
public static class ErofsPacker
{
    public static HostCommand Command(string tree, string image, Guid uuid) =>
        new HostCommand("mkfs.erofs")
            .WithArguments("--quiet", $"-U{uuid:D}", image, tree)
            .WithEnvironment("SOURCE_DATE_EPOCH", ImageKey.SourceDateEpoch.ToString(CultureInfo.InvariantCulture))
            .WithTimeout(TimeSpan.FromMinutes(20));

    /// <summary>
    /// The image file is created first by this process, so that it belongs to the user who builds even when
    /// mkfs.erofs runs as namespace root (mkfs.erofs truncates it; the bytes are the same).
    /// </summary>
    public static async Task PackAsync(string tree, string image, Guid uuid, TreeAccess access, CancellationToken cancellationToken)
    {
        await new FileStream(image, FileMode.CreateNew, FileAccess.Write).DisposeAsync().ConfigureAwait(false);
        await access.Wrap(Command(tree, image, uuid)).RunAsync(cancellationToken).ConfigureAwait(false);
    }
}

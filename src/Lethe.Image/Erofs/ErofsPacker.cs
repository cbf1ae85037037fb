using System.Globalization;
using Lethe.Core;
using Lethe.Image.Keys;

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

    public static Task PackAsync(string tree, string image, Guid uuid, CancellationToken cancellationToken) =>
        Command(tree, image, uuid).RunAsync(cancellationToken);
}

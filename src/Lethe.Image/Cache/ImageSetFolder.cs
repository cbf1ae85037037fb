using System.Text.Json;
using Lethe.Core;
using Lethe.Image.Initramfs;
using Lethe.Image.Keys;

namespace Lethe.Image.Cache;

/// <summary>Writes and reads an image set folder: rootfs.erofs, vmlinux, initramfs.cpio, manifest.json.</summary>
public static class ImageSetFolder
{
    /// <summary>Fills <paramref name="folder"/> from a rootfs part (hard links, no copies) and a new initramfs.</summary>
    public static async Task AssembleAsync(RootfsPart part, string guestInitBinary, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await LinkOrCopyAsync(part.RootfsPath, Path.Combine(folder, ImageFiles.Rootfs), cancellationToken).ConfigureAwait(false);
        await LinkOrCopyAsync(part.KernelPath, Path.Combine(folder, ImageFiles.Kernel), cancellationToken).ConfigureAwait(false);
        await InitramfsBuilder.BuildAsync(guestInitBinary, part.Modules, part.ModulesFolder, part.KernelRelease,
            Path.Combine(folder, ImageFiles.Initramfs), cancellationToken).ConfigureAwait(false);
    }

    public static void WriteManifest(string folder, string digest, RootfsPart part)
    {
        var hashes = ImageFiles.Compared.ToDictionary(name => name, name => ImageKey.Sha256OfFile(Path.Combine(folder, name)));
        var manifest = new ImageManifest(ImageKey.SchemaVersion, digest, part.Key, part.KernelRelease, part.Packages, hashes, DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(folder, ImageFiles.Manifest), JsonSerializer.Serialize(manifest, ImageJson.Default.ImageManifest));
    }

    /// <summary>The image set in <paramref name="folder"/>, or null when it is not there (or not complete).</summary>
    public static ImageSet? TryLoad(string folder)
    {
        var manifestPath = Path.Combine(folder, ImageFiles.Manifest);
        if (!File.Exists(manifestPath) || !ImageFiles.Compared.All(name => File.Exists(Path.Combine(folder, name))))
            return null;
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ImageJson.Default.ImageManifest)
            ?? throw new LetheException($"{manifestPath} is empty");
        return new ImageSet(
            manifest.Digest,
            folder,
            Path.Combine(folder, ImageFiles.Rootfs),
            Path.Combine(folder, ImageFiles.Kernel),
            Path.Combine(folder, ImageFiles.Initramfs),
            manifest.KernelVersion,
            manifest.Packages,
            FromCache: true,
            manifest.RootfsKey);
    }

    /// <summary>The sha256 of each file of the image set in <paramref name="folder"/>, as its build wrote them in
    /// manifest.json (rootfs.erofs, vmlinux, initramfs.cpio); empty when there is no manifest.</summary>
    public static IReadOnlyDictionary<string, string> FileHashes(string folder)
    {
        var manifestPath = Path.Combine(folder, ImageFiles.Manifest);
        return File.Exists(manifestPath)
            ? JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ImageJson.Default.ImageManifest)?.Sha256 ?? new Dictionary<string, string>()
            : new Dictionary<string, string>();
    }

    private static async Task LinkOrCopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var link = await new HostCommand("ln").WithArguments("--", source, destination).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        if (link.ExitCode != 0)
            File.Copy(source, destination);
    }
}

using System.Text;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Keys;

namespace Lethe.Machine.SignedChannel;

/// <param name="SpecPath">The spec file; its sha256 goes into the manifest, and its folder's git commit if it is a work tree.</param>
/// <param name="LockPath">The spec's package lock (its sha256, when it exists).</param>
public sealed record PublishRequest(string ChannelFolder, string KeyFile, ImageSet Image, string SpecPath, string? LockPath, TimeSpan Lifetime);

public sealed record PublishResult(string ChannelFolder, string ManifestPath, ChannelManifest Manifest);

/// <summary>
/// <c>lethe publish</c>: copies an image set into a channel folder under its digest, then writes the next
/// channel.json (version + 1) and its ssh-keygen -Y signature. The image files go first, so that a manifest
/// never names files that are not there yet.
/// </summary>
public sealed class ChannelPublisher(TimeProvider clock, Action<string>? progress = null)
{
    public async Task<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        if (!File.Exists(request.KeyFile))
            throw new UsageException($"--key {request.KeyFile}: no such key file");
        if (!ChannelManifestText.IsSha256(request.Image.Digest))
            throw new LetheException($"image digest {request.Image.Digest} is not a sha256");
        var folder = ChannelFolder.EnsureFolder(Path.GetFullPath(request.ChannelFolder));
        var manifestPath = Path.Combine(folder, ChannelLayout.ManifestName);
        var signaturePath = Path.Combine(folder, ChannelLayout.SignatureName);
        ChannelFolder.ExistingFile(signaturePath);
        var previous = await ReadPreviousAsync(manifestPath, cancellationToken).ConfigureAwait(false);

        ChannelFolder.EnsureFolder(Path.Combine(folder, "images"));
        var imageFolder = ChannelFolder.EnsureFolder(Path.Combine(folder, "images", request.Image.Digest));
        var files = new Dictionary<string, ChannelFile>();
        foreach (var name in ChannelLayout.ImageFileNames)
            files[name] = await PlaceAsync(Path.Combine(request.Image.Directory, name), Path.Combine(imageFolder, name), cancellationToken).ConfigureAwait(false);

        var generation = new ChannelGeneration(
            request.Image.Digest,
            request.Image.RootfsKey ?? throw new LetheException($"image {request.Image.Digest} records no rootfs key; rebuild it"),
            files[ImageFiles.Kernel].Sha256,
            request.Image.KernelVersion,
            ImageKey.Sha256OfFile(request.SpecPath),
            request.LockPath is { } lockPath && File.Exists(lockPath) ? ImageKey.Sha256OfFile(lockPath) : null,
            await SourceRevision.ReadAsync(Path.GetDirectoryName(request.SpecPath)!, cancellationToken).ConfigureAwait(false),
            request.Image.Packages,
            files);
        var manifest = ChannelPolicy.Manifest(previous, clock.GetUtcNow(), request.Lifetime, generation);
        var bytes = ChannelManifestText.Serialize(manifest);
        progress?.Invoke($"signing version {manifest.Version} with {request.KeyFile}");
        var signature = await SshSignature.SignAsync(request.KeyFile, bytes, cancellationToken).ConfigureAwait(false);

        var newManifest = await ChannelFolder.WriteTemporaryAsync(manifestPath, bytes, cancellationToken).ConfigureAwait(false);
        var newSignature = await ChannelFolder.WriteTemporaryAsync(signaturePath, Encoding.UTF8.GetBytes(signature), cancellationToken).ConfigureAwait(false);
        // Between these two renames a consumer sees a manifest and a signature that do not match: it refuses, and takes the next.
        File.Move(newManifest, manifestPath, overwrite: true);
        File.Move(newSignature, signaturePath, overwrite: true);
        return new PublishResult(folder, manifestPath, manifest);
    }

    /// <summary>The channel's current manifest (the publisher's own, not verified again), or null for a new channel.</summary>
    private static async Task<ChannelManifest?> ReadPreviousAsync(string manifestPath, CancellationToken cancellationToken)
    {
        if (ChannelFolder.ExistingFile(manifestPath) is null)
            return null;
        try
        {
            return ChannelManifestText.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false));
        }
        catch (ChannelRefusedException e)
        {
            throw new LetheException($"{manifestPath} is there but is not a channel manifest lethe can continue ({e.Message}); move it away or choose another folder");
        }
    }

    /// <summary>The channel's copy of one image file: kept when it already has the cache's bytes, else written anew.</summary>
    private async Task<ChannelFile> PlaceAsync(string source, string target, CancellationToken cancellationToken)
    {
        var size = new FileInfo(source).Length;
        if (ChannelFolder.ExistingFile(target) is { } existing && existing.Size == size)
        {
            var sha = ImageKey.Sha256OfFile(target);
            if (sha == ImageKey.Sha256OfFile(source))
                return new ChannelFile(sha, size);
        }
        progress?.Invoke($"copying {Path.GetFileName(source)} ({size / (1024.0 * 1024.0):0.0} MiB)");
        return new ChannelFile(await ChannelFolder.CopyAsync(source, target, cancellationToken).ConfigureAwait(false), size);
    }
}

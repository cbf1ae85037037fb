using System.Security.Cryptography;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Image.Keys;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// Downloads a verified manifest's image files into a private work folder of the image cache, checks each
/// size and sha256 against the manifest while streaming, and only when all three match moves the folder
/// into the cache by one rename. A refused download leaves nothing in the cache.
/// </summary>
public sealed class ChannelStaging(ImageCache cache, Action<string>? progress)
{
    /// <summary>Fetches, checks and installs the manifest's image set; <paramref name="work"/> is a work folder of the same cache.</summary>
    public async Task<ImageSet> InstallAsync(IChannelSource source, WorkFolder work, ChannelManifest manifest, CancellationToken cancellationToken)
    {
        var generation = manifest.Generation;
        var folder = PrivateFolder.CreateNew(work.Sub("image"));
        foreach (var name in ChannelLayout.ImageFileNames)
            await DownloadAsync(source, generation, name, Path.Combine(folder, name), cancellationToken).ConfigureAwait(false);
        ImageManifestFile.WriteNew(folder, new ImageManifest(ImageKey.SchemaVersion, generation.ImageDigest, generation.RootfsKey,
            generation.KernelRelease, generation.Packages, generation.Files.ToDictionary(file => file.Key, file => file.Value.Sha256), manifest.Published));
        await ImageCache.PublishAsync(folder, cache.ImageFolder(generation.ImageDigest)).ConfigureAwait(false);
        return (cache.TryLoadImage(generation.ImageDigest)
            ?? throw new LetheException($"image {generation.ImageDigest} vanished right after it was installed")) with { FromCache = false };
    }

    /// <summary>The cached image set of this digest when its recorded hashes are the manifest's: nothing to download.</summary>
    public ImageSet? Cached(ChannelGeneration generation)
    {
        var folder = cache.ImageFolder(generation.ImageDigest);
        if (ImageSetFolder.TryLoad(folder) is not { } image || ImageManifestFile.TryRead(folder) is not { } recorded)
            return null;
        var same = generation.Files.All(file => recorded.Sha256.TryGetValue(file.Key, out var sha) && sha == file.Value.Sha256
            && new FileInfo(Path.Combine(folder, file.Key)).Length == file.Value.Size);
        return same ? image : null;
    }

    private async Task DownloadAsync(IChannelSource source, ChannelGeneration generation, string name, string target, CancellationToken cancellationToken)
    {
        var expected = generation.Files[name];
        var relative = ChannelLayout.ImageFile(generation.ImageDigest, name);
        progress?.Invoke($"fetching {name} ({expected.Size / (1024.0 * 1024.0):0.0} MiB)");
        await using var input = await source.OpenAsync(relative, cancellationToken).ConfigureAwait(false)
            ?? throw new ChannelRefusedException(ChannelRefusal.Tampered, $"the channel has no {relative}, which the manifest names");
        await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > expected.Size)
                throw new ChannelRefusedException(ChannelRefusal.Tampered, $"{name} is larger than the manifest's {expected.Size} bytes");
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        if (total != expected.Size)
            throw new ChannelRefusedException(ChannelRefusal.Tampered, $"{name} has {total} bytes; the manifest says {expected.Size}");
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != expected.Sha256)
            throw new ChannelRefusedException(ChannelRefusal.Tampered, $"{name} has sha256 {actual[..16]}…; the signed manifest says {expected.Sha256[..16]}…");
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
    }
}

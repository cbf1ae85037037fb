using System.Text;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;

namespace Lethe.Machine.SignedChannel;

/// <summary>What to fetch: the channel, the keys pinned for it, and the last generation accepted from it (null: none yet).</summary>
public sealed record ChannelRequest(ChannelLocation Location, AllowedSigners Signers, ChannelPosition? LastAccepted);

/// <summary>A channel's current generation, verified and in the image cache.</summary>
/// <param name="Verdict">Accept: a newer version, now installed; UpToDate: the one already accepted.</param>
/// <param name="Downloaded">False when the image was already in the cache with the manifest's hashes.</param>
public sealed record ChannelUpdate(ChannelVerdict Verdict, ChannelManifest Manifest, ImageSet Image, bool Downloaded)
{
    /// <summary>What to remember as the last accepted position (store it only once the generation is staged).</summary>
    public ChannelPosition Position => new(Manifest.Version, Manifest.Generation.ImageDigest);
}

/// <summary>
/// The consumer's side of a signed channel: fetches channel.json and its signature, verifies it with
/// ssh-keygen -Y against the pinned signers, refuses a rollback or an expired manifest, then downloads and
/// checks the image before it enters the cache. Every refusal is a <see cref="ChannelRefusedException"/>
/// (one line, exit 1) and leaves the cache as it was.
/// </summary>
public sealed class ChannelClient(LethePaths paths, TimeProvider clock, Action<string>? progress = null)
{
    public const int MaxSignatureBytes = 64 * 1024;

    /// <summary>How long one file may take to arrive (the image's rootfs included).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public async Task<ChannelUpdate> FetchAsync(ChannelRequest request, CancellationToken cancellationToken)
    {
        using var source = ChannelSources.For(request.Location, Timeout);
        var manifestBytes = await source.ReadSmallAsync(ChannelLayout.ManifestName, ChannelManifestText.MaxManifestBytes, cancellationToken).ConfigureAwait(false)
            ?? throw new LetheException($"channel {request.Location}: no {ChannelLayout.ManifestName} there");
        var signature = await source.ReadSmallAsync(ChannelLayout.SignatureName, MaxSignatureBytes, cancellationToken).ConfigureAwait(false)
            ?? throw new ChannelRefusedException(ChannelRefusal.Unsigned, $"{request.Location} has no {ChannelLayout.SignatureName}; an unsigned channel is never accepted");

        var cache = new ImageCache(paths.Images);
        await cache.RemoveStaleWorkFoldersAsync(cancellationToken).ConfigureAwait(false);
        await using var work = cache.CreateWorkFolder();
        PosixFiles.SetModeNoFollow(work.Path, PrivateFolder.Mode, directory: true);

        await VerifyAsync(request, work, manifestBytes, signature, cancellationToken).ConfigureAwait(false);
        var manifest = ChannelManifestText.Parse(manifestBytes);
        var verdict = ChannelPolicy.Decide(manifest, request.LastAccepted, clock.GetUtcNow());

        // Two updates installing the same image take turns; the second then finds it in the cache.
        using var installLock = await cache.AcquireBuildLockAsync("channel-" + manifest.Generation.ImageDigest,
            () => progress?.Invoke("waiting for another lethe that is installing this image"), cancellationToken).ConfigureAwait(false);
        var staging = new ChannelStaging(cache, progress);
        if (staging.Cached(manifest.Generation) is { } cached)
            return new ChannelUpdate(verdict, manifest, cached, Downloaded: false);
        var image = await staging.InstallAsync(source, work, manifest, cancellationToken).ConfigureAwait(false);
        return new ChannelUpdate(verdict, manifest, image, Downloaded: true);
    }

    private static async Task VerifyAsync(ChannelRequest request, WorkFolder work, byte[] manifest, byte[] signature, CancellationToken cancellationToken)
    {
        var signersFile = work.Sub("allowed_signers");
        var signatureFile = work.Sub(ChannelLayout.SignatureName);
        await WriteNewAsync(signersFile, Encoding.UTF8.GetBytes(request.Signers.Text), cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(signatureFile, signature, cancellationToken).ConfigureAwait(false);
        if (!await SshSignature.VerifyAsync(signersFile, signatureFile, manifest, cancellationToken).ConfigureAwait(false))
            throw new ChannelRefusedException(ChannelRefusal.BadSignature,
                $"{request.Location}: the signature of {ChannelLayout.ManifestName} does not verify against the pinned allowed signers (principal {ChannelLayout.Principal}, namespace {ChannelLayout.Namespace})");
    }

    private static async Task WriteNewAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}

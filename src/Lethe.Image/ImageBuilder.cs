using System.Diagnostics;
using Lethe.Core;
using Lethe.Image.Cache;
using Lethe.Image.Keys;
using Lethe.Image.Lock;
using Lethe.Image.Rootfs;

namespace Lethe.Image;

/// <summary>
/// Builds image sets from specs, through the content-addressed cache. The rootfs (the slow part, about a
/// minute) is cached apart from the initramfs, so a new guest init costs a second, not a Debian build.
/// Root builds in mmdebstrap's root mode; any other user in a user namespace (see <see cref="TreeAccess"/>).
/// </summary>
public sealed class ImageBuilder
{
    private readonly LethePaths paths;
    private readonly IProgress<BuildProgress>? progress;
    private readonly ImageCache cache;
    private readonly TreeAccess access = TreeAccess.ForThisProcess();

    public ImageBuilder(LethePaths paths, IProgress<BuildProgress>? progress = null)
    {
        this.paths = paths;
        this.progress = progress;
        cache = new ImageCache(paths.Images);
    }

    public async Task<ImageSet> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        var plan = Plan(request);
        if (!request.Force && ReadLock(plan) is { } locked && cache.TryLoadImage(ImageKey.Compute(plan.Recipe, locked, plan.InitSha256).Digest) is { } hit)
            return hit;

        await cache.RemoveStaleWorkFoldersAsync(cancellationToken).ConfigureAwait(false);
        using var buildLock = await cache.AcquireBuildLockAsync(ImageKey.RecipeKey(plan.Recipe),
            () => Report("waiting", "another lethe process is building this image"), cancellationToken).ConfigureAwait(false);

        // Look again: the process we waited for may have built it.
        var pinned = ReadLock(plan);
        if (!request.Force && pinned is not null && cache.TryLoadImage(ImageKey.Compute(plan.Recipe, pinned, plan.InitSha256).Digest) is { } built)
            return built;

        var part = !request.Force && pinned is not null ? cache.TryLoadRootfs(ImageKey.RootfsKey(plan.Recipe, pinned)) : null;
        part ??= await BuildRootfsAsync(plan, pinned, request.Force, cancellationToken).ConfigureAwait(false);

        var digest = ImageKey.Digest(part.Key, plan.InitSha256);
        if (!request.Force && cache.TryLoadImage(digest) is { } existing)
            return existing;

        Report("initramfs");
        await using var work = cache.CreateWorkFolder();
        var folder = work.Sub("image");
        await ImageSetFolder.AssembleAsync(part, request.GuestInitBinary, folder, cancellationToken).ConfigureAwait(false);
        ImageSetFolder.WriteManifest(folder, digest, part);
        await ImageCache.PublishAsync(folder, cache.ImageFolder(digest)).ConfigureAwait(false);
        Report("done", digest);
        return (cache.TryLoadImage(digest) ?? throw new LetheException($"image {digest} vanished right after it was built")) with { FromCache = false };
    }

    /// <summary>Rebuilds from scratch with the same lock and compares with the cached files (builds those first if needed).</summary>
    public async Task<BuildCheckResult> CheckAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        var cached = await BuildAsync(request with { Force = false }, cancellationToken).ConfigureAwait(false);
        var plan = Plan(request);
        var pinned = ReadLock(plan) ?? throw new LetheException($"{plan.LockPath} is missing after the build");

        await using var work = cache.CreateWorkFolder();
        var fresh = await BuildRootfsTreeAsync(plan, pinned, work, cancellationToken).ConfigureAwait(false);
        var differences = new List<ImageDifference>();
        foreach (var move in pinned.MovesTo(fresh))
            differences.Add(new ImageDifference(ImageFiles.Rootfs, null, $"package {move.Name} is {move.BuiltVersion}, locked {move.LockedVersion} (no longer on the mirror)"));

        var part = await new RootfsPartProducer(access, progress)
            .ProduceAsync(work.Sub("tree"), work.Sub("part"), ImageKey.RootfsKey(plan.Recipe, fresh), fresh, cancellationToken)
            .ConfigureAwait(false);
        await TreeRemover.RemoveAsync(work.Sub("tree"), access, cancellationToken).ConfigureAwait(false);
        await ImageSetFolder.AssembleAsync(part, request.GuestInitBinary, work.Sub("image"), cancellationToken).ConfigureAwait(false);

        Report("compare");
        differences.AddRange(await ImageComparison.CompareAsync(cached.Directory, work.Sub("image"), work.Sub("extracted"), access, cancellationToken).ConfigureAwait(false));
        return new BuildCheckResult(differences.Count == 0, cached.Digest, differences);
    }

    private async Task<RootfsPart> BuildRootfsAsync(BuildPlan plan, PackageLock? pinned, bool force, CancellationToken cancellationToken)
    {
        await using var work = cache.CreateWorkFolder();
        var built = await BuildRootfsTreeAsync(plan, pinned, work, cancellationToken).ConfigureAwait(false);
        await RecordLockAsync(plan, pinned, built, cancellationToken).ConfigureAwait(false);

        var key = ImageKey.RootfsKey(plan.Recipe, built);
        if (!force && cache.TryLoadRootfs(key) is { } existing)
            return existing;
        await new RootfsPartProducer(access, progress).ProduceAsync(work.Sub("tree"), work.Sub("part"), key, built, cancellationToken).ConfigureAwait(false);
        await TreeRemover.RemoveAsync(work.Sub("tree"), access, cancellationToken).ConfigureAwait(false);
        await ImageCache.PublishAsync(work.Sub("part"), cache.RootfsFolder(key)).ConfigureAwait(false);
        return cache.TryLoadRootfs(key) ?? throw new LetheException($"rootfs {key} vanished right after it was built");
    }

    private async Task<PackageLock> BuildRootfsTreeAsync(BuildPlan plan, PackageLock? pinned, WorkFolder work, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var built = await new RootfsBuilder(access, progress).BuildAsync(plan.Recipe, pinned, work.Sub("tree"), work.Path, cancellationToken).ConfigureAwait(false);
        Report("rootfs", $"{built.Packages.Count} packages installed in {clock.Elapsed.TotalSeconds:0} s");
        return built;
    }

    private async Task RecordLockAsync(BuildPlan plan, PackageLock? pinned, PackageLock built, CancellationToken cancellationToken)
    {
        if (pinned is not null && pinned.SameAs(built))
            return;
        var moves = pinned?.MovesTo(built) ?? [];
        if (moves.Count > 0)
            Report("lock", "locked versions no longer on the mirror, moved: "
                + string.Join(", ", moves.Select(move => $"{move.Name} {move.LockedVersion} → {move.BuiltVersion}")));
        await LockLocation.WriteAsync(plan.LockPath, built, plan.SpecPath, cancellationToken).ConfigureAwait(false);
        Report("lock", $"wrote {plan.LockPath}");
    }

    private BuildPlan Plan(ImageBuildRequest request)
    {
        if (!File.Exists(request.GuestInitBinary))
            throw new LetheException($"guest init binary not found: {request.GuestInitBinary}");
        foreach (var file in request.Spec.Image.Files.Where(file => !File.Exists(file.Source)))
            throw new LetheException($"image file not found: {file.Source}");
        return new BuildPlan(
            ImageRecipe.From(request.Spec, ImageKey.Sha256OfFile),
            ImageKey.Sha256OfFile(request.GuestInitBinary),
            LockLocation.For(request.Spec, paths),
            request.Spec.SourcePath);
    }

    private PackageLock? ReadLock(BuildPlan plan) =>
        LockLocation.TryRead(plan.LockPath, plan.Recipe.Suite, line => Report("lock", line));

    private void Report(string phase, string? detail = null) => progress?.Report(new BuildProgress(phase, detail));

    private sealed record BuildPlan(ImageRecipe Recipe, string InitSha256, string LockPath, string? SpecPath);
}

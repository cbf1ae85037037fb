using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Image.Keys;
using Lethe.Image.Rootfs;
using Lethe.Spec;

namespace Lethe.Machine.Export;

/// <summary>What every format's writer gets: the image, what the container carries of the spec, how to reach the tree.</summary>
/// <param name="Archive">For OCI: write an oci-archive (one tar) instead of a layout directory.</param>
/// <param name="Disk">What a disk export bakes in: the seed and the persist partition's size.</param>
public sealed record ExportContext(ImageSet Image, ContainerProfile Profile, TreeAccess Access, bool Archive, Action<string> Progress, DiskExport? Disk = null)
{
    /// <summary>Every time an export writes: the image's own SOURCE_DATE_EPOCH, never the clock.</summary>
    public static long Epoch => ImageKey.SourceDateEpoch;

    /// <summary>The spec itself, for formats that carry more of it than the profile (k8s: resources, persist size).</summary>
    public MachineSpec? Spec { get; init; }

    /// <summary>For k8s: where the cluster pulls the containerdisk from.</summary>
    public string? ImageRef { get; init; }
}

/// <summary>One export format: makes its artifact inside a private work folder.</summary>
public interface IExportWriter
{
    Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken);
}

/// <summary>Parses <c>find -printf '%m\t%P\0'</c> output: octal mode, tab, relative path (pure).</summary>
public static class SpecialModes
{
    /// <returns>Paths grouped by mode, both in ordinal order; an entry that is not "mode TAB relative path" is skipped.</returns>
    public static IReadOnlyList<(string Mode, IReadOnlyList<string> Paths)> Parse(string listing) =>
    [
        .. listing.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('\t', 2))
            .Where(fields => fields.Length == 2 && fields[0].Length is > 0 and <= 4 && fields[0].All(c => c is >= '0' and <= '7')
                && fields[1].Length > 0 && !fields[1].StartsWith('/') && !fields[1].Split('/').Contains(".."))
            .GroupBy(fields => fields[0], StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => (group.Key, (IReadOnlyList<string>)[.. group.Select(fields => fields[1]).Order(StringComparer.Ordinal)])),
    ];
}

/// <summary>The steps the container formats share: the image's tree, and files the tree's owner may write.</summary>
public static class ExportSteps
{
    public const string TreeName = "rootfs";

    /// <summary>
    /// Unpacks rootfs.erofs with owners, modes and times (<c>fsck.erofs --extract --preserve</c>), as root or
    /// as namespace root in the build's user namespace, so the tree has the image's own owners. fsck.erofs 1.5
    /// sets the mode before the owner, and the kernel clears setuid and setgid on that chown (sudo, passwd, su
    /// lost their setuid bit), so those bits are read from a second extraction that keeps modes but not
    /// owners, and set again on the first.
    /// </summary>
    public static async Task<string> ExtractAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        context.Progress("extracting the image's root file system");
        var tree = Path.Combine(folder, TreeName);
        await Extract(context, tree, "--preserve").RunAsync(cancellationToken).ConfigureAwait(false);
        var modesOnly = Path.Combine(folder, "modes");
        await Extract(context, modesOnly, "--no-preserve-owner", "--preserve-perms").RunAsync(cancellationToken).ConfigureAwait(false);
        var listing = await context.Access.Wrap(new HostCommand("find").WithArguments(modesOnly, "!", "-type", "l", "-perm", "/7000", "-printf", @"%m\t%P\0"))
            .RunAsync(cancellationToken).ConfigureAwait(false);
        await TreeRemover.RemoveAsync(modesOnly, context.Access, cancellationToken).ConfigureAwait(false);
        foreach (var (mode, paths) in SpecialModes.Parse(listing))
            await context.Access.Wrap(new HostCommand("chmod").WithArguments([mode, "--", .. paths.Select(path => Path.Combine(tree, path))]))
                .RunAsync(cancellationToken).ConfigureAwait(false);
        return tree;
    }

    private static HostCommand Extract(ExportContext context, string tree, params string[] options) =>
        context.Access.Wrap(new HostCommand("fsck.erofs").WithArguments([$"--extract={tree}", .. options, context.Image.RootfsPath])
            .WithTimeout(TimeSpan.FromMinutes(20)));

    /// <summary>
    /// Creates the file as this process first, so it stays the user's when a tool in the user namespace
    /// fills it (the tool truncates it; its owner does not change).
    /// </summary>
    public static string CreateEmpty(string path)
    {
        new FileStream(path, FileMode.CreateNew, FileAccess.Write).Dispose();
        return path;
    }

    public static async Task<string> GzipAsync(string file, Action<string> progress, CancellationToken cancellationToken)
    {
        progress("compressing (gzip)");
        await DeterministicTar.Gzip(file).WithTimeout(TimeSpan.FromMinutes(30)).RunAsync(cancellationToken).ConfigureAwait(false);
        File.Delete(file);
        return file + ".gz";
    }

    public static Task RemoveTreeAsync(ExportContext context, string tree, CancellationToken cancellationToken) =>
        TreeRemover.RemoveAsync(tree, context.Access, cancellationToken);
}

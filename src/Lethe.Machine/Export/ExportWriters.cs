using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Image.Keys;
using Lethe.Image.Rootfs;

namespace Lethe.Machine.Export;

/// <summary>What every format's writer gets: the image, what the container carries of the spec, how to reach the tree.</summary>
/// <param name="Archive">For OCI: write an oci-archive (one tar) instead of a layout directory.</param>
public sealed record ExportContext(ImageSet Image, ContainerProfile Profile, TreeAccess Access, bool Archive, Action<string> Progress)
{
    /// <summary>Every time an export writes: the image's own SOURCE_DATE_EPOCH, never the clock.</summary>
    public static long Epoch => ImageKey.SourceDateEpoch;
}

/// <summary>One export format: makes its artifact inside a private work folder.</summary>
public interface IExportWriter
{
    Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken);
}

/// <summary>The steps the container formats share: the image's tree, and files the tree's owner may write.</summary>
public static class ExportSteps
{
    public const string TreeName = "rootfs";

    /// <summary>
    /// Unpacks rootfs.erofs with owners, modes and times (<c>fsck.erofs --extract --preserve</c>), as root or
    /// as namespace root in the build's user namespace, so the tree has the image's own owners.
    /// </summary>
    public static async Task<string> ExtractAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        context.Progress("extracting the image's root file system");
        var tree = Path.Combine(folder, TreeName);
        await context.Access.Wrap(new HostCommand("fsck.erofs").WithArguments($"--extract={tree}", "--preserve", context.Image.RootfsPath)
            .WithTimeout(TimeSpan.FromMinutes(20))).RunAsync(cancellationToken).ConfigureAwait(false);
        return tree;
    }

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

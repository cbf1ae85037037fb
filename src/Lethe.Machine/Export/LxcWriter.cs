using System.Text;
using Lethe.Image.Keys;

namespace Lethe.Machine.Export;

/// <summary>
/// An Incus/LXD unified image: one tar.gz with metadata.yaml (root-owned, 0644) and rootfs/ (the image's
/// tree with its own owners), what <c>lxc image import FILE</c> takes.
/// </summary>
public sealed class LxcWriter : IExportWriter
{
    public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        var tree = await ExportSteps.ExtractAsync(context, folder, cancellationToken).ConfigureAwait(false);
        await using (var metadata = new FileStream(Path.Combine(folder, "metadata.yaml"), FileMode.CreateNew, FileAccess.Write))
            await metadata.WriteAsync(Encoding.UTF8.GetBytes(LxcMetadata.Yaml(context.Profile, ExportContext.Epoch)), cancellationToken).ConfigureAwait(false);

        context.Progress("writing the image (tar)");
        var archive = Path.Combine(folder, "lxc.tar");
        await DeterministicTar.Normalised(archive, folder, ["metadata.yaml"], ExportContext.Epoch).RunAsync(cancellationToken).ConfigureAwait(false);
        await context.Access.Wrap(DeterministicTar.Tree(archive, folder, [ExportSteps.TreeName], ExportContext.Epoch, append: true)
            .WithTimeout(TimeSpan.FromMinutes(30))).RunAsync(cancellationToken).ConfigureAwait(false);
        await ExportSteps.RemoveTreeAsync(context, tree, cancellationToken).ConfigureAwait(false);
        var compressed = await ExportSteps.GzipAsync(archive, context.Progress, cancellationToken).ConfigureAwait(false);
        return new ExportArtifact(compressed, IsDirectory: false, "lxc unified image", "sha256:" + ImageKey.Sha256OfFile(compressed));
    }
}

using Lethe.Image.Keys;

namespace Lethe.Machine.Export;

/// <summary>
/// An OCI image layout (oci-layout, index.json tagged <see cref="OciLayout.Tag"/>, blobs/sha256/…) with one
/// gzip layer holding the whole rootfs; or, for an output ending in .tar, an oci-archive: that layout in one tar.
/// </summary>
public sealed class OciWriter : IExportWriter
{
    public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        var tree = await ExportSteps.ExtractAsync(context, folder, cancellationToken).ConfigureAwait(false);
        context.Progress("writing the layer (tar)");
        var layerTar = ExportSteps.CreateEmpty(Path.Combine(folder, "layer.tar"));
        await context.Access.Wrap(DeterministicTar.Tree(layerTar, tree, ["."], ExportContext.Epoch).WithTimeout(TimeSpan.FromMinutes(30)))
            .RunAsync(cancellationToken).ConfigureAwait(false);
        await ExportSteps.RemoveTreeAsync(context, tree, cancellationToken).ConfigureAwait(false);
        var diffId = "sha256:" + ImageKey.Sha256OfFile(layerTar);
        var layerGz = await ExportSteps.GzipAsync(layerTar, context.Progress, cancellationToken).ConfigureAwait(false);
        var layer = new OciDescriptor(OciLayout.GzipLayerType, "sha256:" + ImageKey.Sha256OfFile(layerGz), new FileInfo(layerGz).Length);

        var created = OciLayout.Created(ExportContext.Epoch);
        var configBytes = OciLayout.Config(context.Profile, diffId, created);
        var config = OciDescriptor.Of(OciLayout.ConfigType, configBytes);
        var manifestBytes = OciLayout.Manifest(config, layer, created);
        var manifest = OciDescriptor.Of(OciLayout.ManifestType, manifestBytes);

        var layout = Path.Combine(folder, "oci");
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        await WriteNewAsync(Path.Combine(layout, "oci-layout"), OciLayout.LayoutFile(), cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(layout, "index.json"), OciLayout.Index(manifest), cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(blobs, config.Hex), configBytes, cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(blobs, manifest.Hex), manifestBytes, cancellationToken).ConfigureAwait(false);
        File.Move(layerGz, Path.Combine(blobs, layer.Hex));
        if (!context.Archive)
            return new ExportArtifact(layout, IsDirectory: true, "oci layout", manifest.Digest);

        context.Progress("writing the oci-archive (tar)");
        var archive = Path.Combine(folder, "oci.tar");
        await DeterministicTar.Normalised(archive, layout, ["blobs", "index.json", "oci-layout"], ExportContext.Epoch)
            .RunAsync(cancellationToken).ConfigureAwait(false);
        return new ExportArtifact(archive, IsDirectory: false, "oci-archive", manifest.Digest);
    }

    private static async Task WriteNewAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
    }
}

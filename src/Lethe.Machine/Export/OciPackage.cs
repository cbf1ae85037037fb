using Lethe.Image.Keys;

namespace Lethe.Machine.Export;

/// <summary>
/// The OCI image around one uncompressed layer tar, shared by the oci and containerdisk formats: the layer
/// gzipped reproducibly, the config and manifest, and either the layout directory (oci-layout, index.json
/// tagged <see cref="OciLayout.Tag"/>, blobs/sha256/…) or, when the context asks for it, an oci-archive of it.
/// </summary>
public static class OciPackage
{
    /// <param name="config">The config's bytes for the layer's diff id (the sha256 of the uncompressed tar).</param>
    public static async Task<ExportArtifact> WriteAsync(ExportContext context, string folder, string layerTar, Func<string, byte[]> config,
        CancellationToken cancellationToken)
    {
        var diffId = "sha256:" + ImageKey.Sha256OfFile(layerTar);
        var layerGz = await ExportSteps.GzipAsync(layerTar, context.Progress, cancellationToken).ConfigureAwait(false);
        var layer = new OciDescriptor(OciLayout.GzipLayerType, "sha256:" + ImageKey.Sha256OfFile(layerGz), new FileInfo(layerGz).Length);

        var configBytes = config(diffId);
        var configDescriptor = OciDescriptor.Of(OciLayout.ConfigType, configBytes);
        var manifestBytes = OciLayout.Manifest(configDescriptor, layer, OciLayout.Created(ExportContext.Epoch));
        var manifest = OciDescriptor.Of(OciLayout.ManifestType, manifestBytes);

        var layout = Path.Combine(folder, "oci");
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        await WriteNewAsync(Path.Combine(layout, "oci-layout"), OciLayout.LayoutFile(), cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(layout, "index.json"), OciLayout.Index(manifest), cancellationToken).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(blobs, configDescriptor.Hex), configBytes, cancellationToken).ConfigureAwait(false);
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

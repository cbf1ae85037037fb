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
        var created = OciLayout.Created(ExportContext.Epoch);
        return await OciPackage.WriteAsync(context, folder, layerTar, diffId => OciLayout.Config(context.Profile, diffId, created), cancellationToken)
            .ConfigureAwait(false);
    }
}

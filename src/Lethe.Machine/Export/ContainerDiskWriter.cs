namespace Lethe.Machine.Export;

/// <summary>
/// KubeVirt's containerDisk: an OCI image (layout, or oci-archive for an output ending in .tar) whose one
/// layer holds /disk/ (root, 0755) and in it NAME.qcow2 owned by 107:107 (qemu in KubeVirt's launcher) and
/// mode 0440, as KubeVirt's documentation builds them. The disk itself comes from <paramref name="disk"/>
/// (the qcow2 format's writer), so both formats carry the same bytes.
/// </summary>
public sealed class ContainerDiskWriter(IExportWriter disk) : IExportWriter
{
    public const int QemuId = 107;
    public const string DiskFolder = "disk";
    public const string DiskMode = "0440";
    public const string FolderMode = "0755";

    /// <summary>The qcow2's path inside the image, relative to its root (pure).</summary>
    public static string DiskPath(string machineName) => $"{DiskFolder}/{machineName}.qcow2";

    public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        var diskWork = Directory.CreateDirectory(Path.Combine(folder, "qcow2")).FullName;
        var qcow2 = await disk.ProduceAsync(context, diskWork, cancellationToken).ConfigureAwait(false);
        if (qcow2.IsDirectory)
            throw new InvalidOperationException($"a containerDisk holds one qcow2 file, but the disk writer made a folder ({qcow2.Kind})");

        var tree = Path.Combine(folder, "layer-tree");
        Directory.CreateDirectory(Path.Combine(tree, DiskFolder));
        var member = DiskPath(context.Profile.Name);
        File.Move(qcow2.Path, Path.Combine(tree, member), overwrite: false);

        context.Progress("writing the layer (tar)");
        var layerTar = ExportSteps.CreateEmpty(Path.Combine(folder, "layer.tar"));
        await DeterministicTar.Owned(layerTar, tree, [DiskFolder], ExportContext.Epoch, 0, 0, FolderMode, append: false)
            .RunAsync(cancellationToken).ConfigureAwait(false);
        await DeterministicTar.Owned(layerTar, tree, [member], ExportContext.Epoch, QemuId, QemuId, DiskMode, append: true)
            .WithTimeout(TimeSpan.FromMinutes(30)).RunAsync(cancellationToken).ConfigureAwait(false);
        File.Delete(Path.Combine(tree, member));

        var created = OciLayout.Created(ExportContext.Epoch);
        var image = await OciPackage.WriteAsync(context, folder, layerTar, diffId => OciLayout.ContainerDiskConfig(context.Profile, diffId, created), cancellationToken)
            .ConfigureAwait(false);
        return image with { Kind = $"containerdisk ({image.Kind})" };
    }
}

using System.Text;
using Lethe.Image.Keys;

namespace Lethe.Machine.Export;

/// <summary>
/// <c>--format k8s</c>: one YAML file with the KubeVirt VirtualMachine and its persist claim
/// (<see cref="KubeVirtManifest"/>), for the image reference the request names.
/// </summary>
public sealed class KubeVirtWriter : IExportWriter
{
    public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        var spec = context.Spec ?? throw new InvalidOperationException("the k8s format needs the spec in the export context");
        // --persist-size sizes the claim as it sizes a disk's partition.
        if (context.Disk is { } disk)
            spec = spec with { Persist = spec.Persist with { SizeMiB = disk.PersistSizeMiB } };
        var yaml = KubeVirtManifest.Yaml(spec, context.Image.Digest, context.ImageRef ?? "");
        var path = Path.Combine(folder, "kubevirt.yaml");
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            await file.WriteAsync(Encoding.UTF8.GetBytes(yaml), cancellationToken).ConfigureAwait(false);
        return new ExportArtifact(path, IsDirectory: false, "kubevirt manifest", "sha256:" + ImageKey.Sha256OfFile(path));
    }
}

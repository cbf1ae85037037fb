namespace Lethe.Machine.Export;

/// <summary>
/// The forms an image is exported to. Each has its own writer (<see cref="IExportWriter"/>); qcow2,
/// containerdisk and k8s are to join here.
/// </summary>
public enum ExportFormat
{
    /// <summary>An OCI image layout directory, or an oci-archive (a tar of it) when the output ends in .tar.</summary>
    Oci,
    /// <summary>An Incus/LXD unified image: one tar.gz holding metadata.yaml and rootfs/.</summary>
    Lxc,
    /// <summary>A whole UEFI disk (GPT, EFI system partition, erofs root, persist partition), zstd-compressed qcow2.</summary>
    Qcow2,
    /// <summary>KubeVirt's containerDisk: an OCI image (layout or oci-archive, as for oci) whose one layer is /disk/NAME.qcow2.</summary>
    ContainerDisk,
    /// <summary>A KubeVirt VirtualMachine and the PersistentVolumeClaim of its persist disk, in one YAML file.</summary>
    K8s,
}

public static class ExportFormats
{
    public static readonly IReadOnlyList<string> Names = ["oci", "lxc", "qcow2", "containerdisk", "k8s"];

    /// <summary>The format named on the command line, or null for an unknown name (pure).</summary>
    public static ExportFormat? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "oci" => ExportFormat.Oci,
        "lxc" or "incus" or "lxd" => ExportFormat.Lxc,
        "qcow2" => ExportFormat.Qcow2,
        "containerdisk" => ExportFormat.ContainerDisk,
        "k8s" or "kubevirt" => ExportFormat.K8s,
        _ => null,
    };

    public static string Name(this ExportFormat format) => format switch
    {
        ExportFormat.Oci => "oci",
        ExportFormat.Lxc => "lxc",
        ExportFormat.Qcow2 => "qcow2",
        ExportFormat.ContainerDisk => "containerdisk",
        ExportFormat.K8s => "k8s",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Where an export goes when -o is not given: beside the caller, named after the spec (pure).</summary>
    public static string DefaultOutput(this ExportFormat format, string specName) => format switch
    {
        ExportFormat.Oci => $"{specName}-oci",
        ExportFormat.Lxc => $"{specName}.lxc.tar.gz",
        ExportFormat.Qcow2 => $"{specName}.qcow2",
        ExportFormat.ContainerDisk => $"{specName}-containerdisk",
        ExportFormat.K8s => $"{specName}.kubevirt.yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>A format that carries the whole disk (and so the standalone seed and the persist partition).</summary>
    public static bool IsDisk(this ExportFormat format) => format is ExportFormat.Qcow2 or ExportFormat.ContainerDisk;

    /// <summary>Pure: why --persist-size or --authorized-keys cannot go with <paramref name="format"/> (null: they can).</summary>
    public static string? OptionProblem(ExportFormat format, long? persistSizeMiB, bool authorizedKeys) =>
        persistSizeMiB is <= 0 ? "--persist-size: give a size in MiB greater than 0"
        : persistSizeMiB is not null && !format.IsDisk() && format != ExportFormat.K8s ? $"--persist-size: {format.Name()} has no persist disk (qcow2, containerdisk and k8s do)"
        : authorizedKeys && !format.IsDisk() ? $"--authorized-keys: {format.Name()} runs no sshd of its own (qcow2 and containerdisk do)"
        : null;

    /// <summary>An OCI export written as an oci-archive (one tar) rather than a layout directory.</summary>
    public static bool IsOciArchive(string output) => output.EndsWith(".tar", StringComparison.Ordinal);
}

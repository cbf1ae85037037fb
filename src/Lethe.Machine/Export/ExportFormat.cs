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
}

public static class ExportFormats
{
    public static readonly IReadOnlyList<string> Names = ["oci", "lxc"];

    /// <summary>The format named on the command line, or null for an unknown name (pure).</summary>
    public static ExportFormat? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "oci" => ExportFormat.Oci,
        "lxc" or "incus" or "lxd" => ExportFormat.Lxc,
        _ => null,
    };

    public static string Name(this ExportFormat format) => format switch
    {
        ExportFormat.Oci => "oci",
        ExportFormat.Lxc => "lxc",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Where an export goes when -o is not given: beside the caller, named after the spec (pure).</summary>
    public static string DefaultOutput(this ExportFormat format, string specName) => format switch
    {
        ExportFormat.Oci => $"{specName}-oci",
        ExportFormat.Lxc => $"{specName}.lxc.tar.gz",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>An OCI export written as an oci-archive (one tar) rather than a layout directory.</summary>
    public static bool IsOciArchive(string output) => output.EndsWith(".tar", StringComparison.Ordinal);
}

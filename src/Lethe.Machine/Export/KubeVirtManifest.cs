using System.Text.RegularExpressions;
using Lethe.Spec;

namespace Lethe.Machine.Export;

/// <summary>
/// The <c>--format k8s</c> manifest (pure): a KubeVirt VirtualMachine (kubevirt.io/v1) that boots the
/// containerDisk at the given image reference with UEFI, and the PersistentVolumeClaim that holds the
/// machine's persist disk, attached with the virtio serial the guest looks for. Nothing in it depends on
/// the clock or the host, so the same spec, image and reference give the same bytes.
/// </summary>
public static partial class KubeVirtManifest
{
    /// <summary>The virtio serial of the blank disk the guest formats and keeps the allowlist on.</summary>
    public const string PersistSerial = Lethe.Protocol.SeedLayout.PersistDiskSerial;
    public const string ContainerDiskVolume = "containerdisk";
    public const string PersistVolume = "persist";
    public const string ImageDigestAnnotation = "lethe/image-digest";

    public static string PersistClaimName(string machineName) => $"{machineName}-persist";

    /// <summary>The usage error for --image-ref with this format, or null: k8s needs a valid one, no other format takes one (pure).</summary>
    public static string? ImageRefUsageProblem(ExportFormat format, string? reference) =>
        format == ExportFormat.K8s
            ? ImageRefProblem(reference) is { } problem ? $"--image-ref: {problem}" : null
            : reference is null ? null : "--image-ref is only for --format k8s";

    /// <summary>Why <paramref name="reference"/> is not an image reference KubeVirt can pull, or null (pure).</summary>
    public static string? ImageRefProblem(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
            return "required with --format k8s: the reference the cluster pulls the containerdisk from (e.g. registry.example/team/box@sha256:…)";
        var match = Reference().Match(reference);
        if (!match.Success)
            return $"'{Printable(reference)}' is not an image reference (registry/path[:tag][@sha256:digest], lowercase path)";
        return match.Groups["name"].Length > 255 ? "the image reference's name is longer than 255 characters" : null;
    }

    public static string Yaml(MachineSpec spec, string imageDigest, string imageRef)
    {
        if (ImageRefProblem(imageRef) is { } problem)
            throw new ArgumentException(problem, nameof(imageRef));
        return $"# lethe export --format k8s: machine {spec.Name} from lethe image {imageDigest}\n"
            + "# The containerdisk at the reference below must be this image's; the claim keeps the allowlist.\n"
            + YamlText.Document(VirtualMachine(spec, imageDigest, imageRef))
            + "---\n"
            + YamlText.Document(PersistClaim(spec));
    }

    public static YamlMap VirtualMachine(MachineSpec spec, string imageDigest, string imageRef) => new()
    {
        { "apiVersion", "kubevirt.io/v1" },
        { "kind", "VirtualMachine" },
        { "metadata", new YamlMap
            {
                { "name", spec.Name },
                { "labels", Labels(spec) },
                { "annotations", new YamlMap { { ImageDigestAnnotation, imageDigest } } },
            }
        },
        { "spec", new YamlMap
            {
                { "runStrategy", "Always" },
                { "template", new YamlMap
                    {
                        { "metadata", new YamlMap { { "labels", Labels(spec) } } },
                        { "spec", new YamlMap
                            {
                                { "domain", Domain(spec) },
                                { "networks", new object[] { new YamlMap { { "name", "default" }, { "pod", new YamlMap() } } } },
                                { "volumes", new object[]
                                    {
                                        new YamlMap { { "name", ContainerDiskVolume }, { "containerDisk", new YamlMap { { "image", imageRef } } } },
                                        new YamlMap { { "name", PersistVolume }, { "persistentVolumeClaim", new YamlMap { { "claimName", PersistClaimName(spec.Name) } } } },
                                    }
                                },
                            }
                        },
                    }
                },
            }
        },
    };

    private static YamlMap Domain(MachineSpec spec) => new()
    {
        { "cpu", new YamlMap { { "cores", spec.Resources.Cpus } } },
        { "resources", new YamlMap { { "requests", new YamlMap { { "memory", $"{spec.Resources.MemoryMiB}Mi" } } } } },
        { "firmware", new YamlMap { { "bootloader", new YamlMap { { "efi", new YamlMap { { "secureBoot", false } } } } } } },
        { "devices", new YamlMap
            {
                { "disks", new object[]
                    {
                        new YamlMap { { "name", ContainerDiskVolume }, { "bootOrder", 1 }, { "disk", new YamlMap { { "bus", "virtio" } } } },
                        new YamlMap { { "name", PersistVolume }, { "serial", PersistSerial }, { "disk", new YamlMap { { "bus", "virtio" } } } },
                    }
                },
                { "interfaces", new object[] { new YamlMap { { "name", "default" }, { "masquerade", new YamlMap() } } } },
            }
        },
    };

    public static YamlMap PersistClaim(MachineSpec spec) => new()
    {
        { "apiVersion", "v1" },
        { "kind", "PersistentVolumeClaim" },
        { "metadata", new YamlMap { { "name", PersistClaimName(spec.Name) }, { "labels", Labels(spec) } } },
        { "spec", new YamlMap
            {
                { "accessModes", new object[] { "ReadWriteOnce" } },
                { "resources", new YamlMap { { "requests", new YamlMap { { "storage", $"{spec.Persist.SizeMiB}Mi" } } } } },
            }
        },
    };

    private static YamlMap Labels(MachineSpec spec) => new()
    {
        { "app.kubernetes.io/name", spec.Name },
        { "app.kubernetes.io/managed-by", "lethe" },
    };

    private static string Printable(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    // The distribution reference grammar: [domain[:port]/]path[:tag][@algorithm:hex], path components lowercase.
    [GeneratedRegex("""
        ^(?<name>(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?
        [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)
        (?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?
        (?:@sha256:[a-f0-9]{64})?\z
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}

using Lethe.Image;
using Lethe.Spec;

namespace Lethe.Machine.Export;

/// <param name="Output">The full path to create; it must not exist yet.</param>
/// <param name="ImageRef">For k8s: the containerdisk's image reference, which the manifest names.</param>
/// <param name="PersistSizeMiB">A disk export's persist partition, and k8s's claim; null: the spec's persist.size.</param>
/// <param name="AuthorizedKeys">Public keys a disk export's sshd accepts for the spec's user.</param>
public sealed record ExportRequest(MachineSpec Spec, ImageSet Image, ExportFormat Format, string Output, string? ImageRef = null,
    long? PersistSizeMiB = null, IReadOnlyList<string>? AuthorizedKeys = null);

/// <summary>What a disk export bakes in: the standalone seed (<see cref="Disk.StandaloneSeed"/>) and the persist partition's size.</summary>
public sealed record DiskExport(Lethe.Protocol.GuestSeed Seed, long PersistSizeMiB);

/// <summary>A finished export.</summary>
/// <param name="Kind">What was written: "oci layout", "oci-archive" or "lxc unified image".</param>
/// <param name="Digest">For OCI, the image manifest's digest; for a single file, its own sha256.</param>
public sealed record ExportResult(string Format, string Kind, string Output, string Digest, long Bytes);

/// <summary>One way the second export differs from the first: a file (relative to the export) and how.</summary>
public sealed record ExportDifference(string File, string Description);

/// <summary>The outcome of <c>lethe export --check</c>: whether two exports are byte-identical.</summary>
public sealed record ExportCheckResult(bool Identical, string Format, string ImageDigest, string Digest, IReadOnlyList<ExportDifference> Differences);

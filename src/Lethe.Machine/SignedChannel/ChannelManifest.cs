using System.Text.Json.Serialization;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// channel.json: one signed generation. The consumer trusts nothing in it before its signature is checked,
/// and then only what <see cref="ChannelManifestText.Parse"/> lets through.
/// </summary>
/// <param name="Version">Only ever increases: the previous channel.json's version + 1.</param>
public sealed record ChannelManifest(
    int Schema,
    long Version,
    DateTimeOffset Published,
    DateTimeOffset Expires,
    ChannelGeneration Generation);

/// <param name="ImageDigest">The image set's digest: its folder name in every cache and in the channel.</param>
/// <param name="KernelDigest">sha256 of vmlinux: a new one means a reboot is needed.</param>
/// <param name="Files">rootfs.erofs, vmlinux and initramfs.cpio, each with its sha256 and size.</param>
/// <param name="SourceRevision">The git commit of the spec's folder, or null when it is not a git work tree.</param>
public sealed record ChannelGeneration(
    string ImageDigest,
    string RootfsKey,
    string KernelDigest,
    string KernelRelease,
    string SpecSha256,
    string? LockSha256,
    string? SourceRevision,
    IReadOnlyList<string> Packages,
    IReadOnlyDictionary<string, ChannelFile> Files);

public sealed record ChannelFile(string Sha256, long Size);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ChannelManifest))]
internal sealed partial class ChannelJson : JsonSerializerContext;

using System.Text.Json;
using Lethe.Protocol.Modules;

namespace Lethe.Image.Cache;

/// <summary>
/// The slow half of an image, cached under its rootfs key so that a new guest init only rebuilds the
/// initramfs: rootfs.erofs, vmlinux, and the kernel modules the initramfs carries.
/// </summary>
public sealed record RootfsPart(string Key, string Folder, string KernelRelease, IReadOnlyList<string> Packages)
{
    public const string ManifestName = "rootfs.json";
    public const string ModuleTableName = "modules.table";
    public const string ModulesFolderName = "modules";

    public string RootfsPath => Path.Combine(Folder, ImageFiles.Rootfs);
    public string KernelPath => Path.Combine(Folder, ImageFiles.Kernel);
    public string ModulesFolder => Path.Combine(Folder, ModulesFolderName);
    public ModuleTable Modules => ModuleTable.Parse(File.ReadAllText(Path.Combine(Folder, ModuleTableName)));

    public static RootfsPart? TryLoad(string folder)
    {
        var manifestPath = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifestPath))
            return null;
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ImageJson.Default.RootfsManifest)
            ?? throw new InvalidDataException($"{manifestPath} is empty");
        return new RootfsPart(manifest.Key, folder, manifest.KernelRelease, manifest.Packages);
    }

    public void WriteManifest() =>
        File.WriteAllText(Path.Combine(Folder, ManifestName),
            JsonSerializer.Serialize(new RootfsManifest(Key, KernelRelease, Packages), ImageJson.Default.RootfsManifest));
}

public sealed record RootfsManifest(string Key, string KernelRelease, IReadOnlyList<string> Packages);

/// <summary>manifest.json of an image set folder.</summary>
public sealed record ImageManifest(
    int Schema,
    string Digest,
    string RootfsKey,
    string KernelVersion,
    IReadOnlyList<string> Packages,
    IReadOnlyDictionary<string, string> Sha256,
    DateTimeOffset BuiltAt);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(RootfsManifest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ImageManifest))]
internal sealed partial class ImageJson : System.Text.Json.Serialization.JsonSerializerContext;

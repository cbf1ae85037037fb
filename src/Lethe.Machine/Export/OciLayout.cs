using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lethe.Machine.Export;

/// <summary>A content descriptor: what a blob is, its sha256 digest and its size.</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    public string Hex => Digest["sha256:".Length..];

    public static OciDescriptor Of(string mediaType, byte[] content) =>
        new(mediaType, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), content.Length);
}

/// <summary>
/// The JSON documents of an OCI image layout (image-spec 1.0: oci-layout, index.json, the image manifest
/// and the image config), written in a fixed order with fixed times, so the same inputs give the same
/// bytes and so the same digests (pure).
/// </summary>
public static class OciLayout
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigType = "application/vnd.oci.image.config.v1+json";
    public const string GzipLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    public const string Tag = "latest";

    public const string UserLabel = "org.lethe.user";
    public const string UidLabel = "org.lethe.uid";
    public const string SudoLabel = "org.lethe.sudo";
    public const string PersistLabel = "org.lethe.persist";
    public const string PersistFilesLabel = "org.lethe.persist.files";

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] LayoutFile() => Write(json => json.WriteString("imageLayoutVersion", "1.0.0"));

    /// <summary>The labels that carry what lethe's VM enforces and a container runtime is left to arrange.</summary>
    public static SortedDictionary<string, string> Labels(ContainerProfile profile, string created) => new(StringComparer.Ordinal)
    {
        ["org.opencontainers.image.created"] = created,
        ["org.opencontainers.image.title"] = profile.Name,
        ["org.opencontainers.image.description"] = $"lethe machine {profile.Name}: Debian {profile.Suite}, user {profile.UserName}",
        [UserLabel] = profile.UserName,
        [UidLabel] = profile.UidText,
        [SudoLabel] = profile.Sudo ? "true" : "false",
        // The allowlist as a JSON array of absolute paths; the file entries again in their own label.
        [PersistLabel] = JsonSerializer.Serialize(profile.Kept.Select(kept => kept.Path).ToArray(), ExportJson.Default.StringArray),
        [PersistFilesLabel] = JsonSerializer.Serialize(profile.Kept.Where(kept => kept.IsFile).Select(kept => kept.Path).ToArray(), ExportJson.Default.StringArray),
    };

    /// <param name="diffId">sha256 of the uncompressed layer tar.</param>
    public static byte[] Config(ContainerProfile profile, string diffId, string created) =>
        Config(profile, diffId, created, runs: true, "lethe export --format oci", "the rootfs of the lethe image, one layer");

    /// <summary>
    /// A containerDisk's config: nothing runs in it (KubeVirt only copies /disk/ out of it), so no user,
    /// command or environment; the labels still say whose machine the disk holds.
    /// </summary>
    public static byte[] ContainerDiskConfig(ContainerProfile profile, string diffId, string created) =>
        Config(profile, diffId, created, runs: false, "lethe export --format containerdisk", "the lethe machine's qcow2 disk at /disk/, one layer");

    private static byte[] Config(ContainerProfile profile, string diffId, string created, bool runs, string createdBy, string comment) => Write(json =>
    {
        json.WriteString("created", created);
        json.WriteString("architecture", "amd64");
        json.WriteString("os", "linux");
        json.WriteStartObject("config");
        if (runs)
        {
            json.WriteString("User", profile.UidText);
            WriteStrings(json, "Env", profile.Environment);
            WriteStrings(json, "Cmd", ["/bin/bash", "-l"]);
            json.WriteString("WorkingDir", profile.Home);
        }
        json.WriteStartObject("Labels");
        foreach (var (name, value) in Labels(profile, created))
            json.WriteString(name, value);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("rootfs");
        json.WriteString("type", "layers");
        WriteStrings(json, "diff_ids", [diffId]);
        json.WriteEndObject();
        json.WriteStartArray("history");
        json.WriteStartObject();
        json.WriteString("created", created);
        json.WriteString("created_by", createdBy);
        json.WriteString("comment", comment);
        json.WriteEndObject();
        json.WriteEndArray();
    });

    public static byte[] Manifest(OciDescriptor config, OciDescriptor layer, string created) => Write(json =>
    {
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", ManifestType);
        WriteDescriptor(json, "config", config);
        json.WriteStartArray("layers");
        WriteDescriptor(json, null, layer);
        json.WriteEndArray();
        json.WriteStartObject("annotations");
        json.WriteString("org.opencontainers.image.created", created);
        json.WriteEndObject();
    });

    public static byte[] Index(OciDescriptor manifest) => Write(json =>
    {
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", "application/vnd.oci.image.index.v1+json");
        json.WriteStartArray("manifests");
        json.WriteStartObject();
        json.WriteString("mediaType", manifest.MediaType);
        json.WriteString("digest", manifest.Digest);
        json.WriteNumber("size", manifest.Size);
        json.WriteStartObject("platform");
        json.WriteString("architecture", "amd64");
        json.WriteString("os", "linux");
        json.WriteEndObject();
        json.WriteStartObject("annotations");
        json.WriteString(RefNameAnnotation, Tag);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>RFC 3339 in UTC, as the config's created field wants it.</summary>
    public static string Created(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteDescriptor(Utf8JsonWriter json, string? name, OciDescriptor descriptor)
    {
        if (name is null)
            json.WriteStartObject();
        else
            json.WriteStartObject(name);
        json.WriteString("mediaType", descriptor.MediaType);
        json.WriteString("digest", descriptor.Digest);
        json.WriteNumber("size", descriptor.Size);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class ExportJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Text;
using System.Text.Json;

namespace Lethe.Machine.SignedChannel;

/// <summary>Pure: channel.json to and from bytes, and what a manifest must hold to be read at all.</summary>
public static class ChannelManifestText
{
    public const int MaxManifestBytes = 1 << 20;
    /// <summary>No image file a channel names may be larger (a signed manifest could still name a huge one).</summary>
    public const long MaxImageFileBytes = 64L << 30;
    private const int MaxPackages = 20_000;

    public static byte[] Serialize(ChannelManifest manifest) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(manifest, ChannelJson.Default.ChannelManifest) + "\n");

    /// <summary>The manifest in <paramref name="bytes"/> (the very bytes whose signature was checked), or a
    /// <see cref="ChannelRefusal.BadManifest"/> refusal naming the first problem.</summary>
    public static ChannelManifest Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxManifestBytes)
            throw Bad($"{ChannelLayout.ManifestName} is larger than {MaxManifestBytes} bytes");
        ChannelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(bytes, ChannelJson.Default.ChannelManifest);
        }
        catch (JsonException e)
        {
            throw Bad($"{ChannelLayout.ManifestName} is not a channel manifest: {FirstLine(e.Message)}");
        }
        if (manifest is null)
            throw Bad($"{ChannelLayout.ManifestName} is empty");
        if (Problem(manifest) is { } problem)
            throw Bad(problem);
        return manifest;
    }

    /// <summary>The first thing wrong with a parsed manifest, or null.</summary>
    public static string? Problem(ChannelManifest manifest)
    {
        if (manifest.Schema != ChannelLayout.Schema)
            return $"manifest schema {manifest.Schema}; this lethe reads schema {ChannelLayout.Schema}";
        if (manifest.Version < 1)
            return $"version {manifest.Version}; versions start at 1";
        if (manifest.Expires <= manifest.Published)
            return "the manifest expires before it was published";
        var generation = manifest.Generation;
        foreach (var (field, value) in new[]
        {
            ("imageDigest", generation.ImageDigest), ("rootfsKey", generation.RootfsKey), ("kernelDigest", generation.KernelDigest),
            ("specSha256", generation.SpecSha256), ("lockSha256", generation.LockSha256 ?? new string('0', 64)),
        })
        {
            if (!IsSha256(value))
                return $"{field} is not a sha256 (64 lowercase hex digits)";
        }
        if (generation.SourceRevision is { } revision && !(revision.Length is 40 or 64 && revision.All(IsLowerHex)))
            return "sourceRevision is not a git commit id";
        if (generation.KernelRelease.Length is 0 or > 100 || !generation.KernelRelease.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+'))
            return "kernelRelease is not a kernel release";
        if (generation.Packages.Count > MaxPackages || generation.Packages.Any(p => p.Length is 0 or > 300 || p.Any(char.IsControl)))
            return "packages is not a package list";
        var names = generation.Files.Keys.Order(StringComparer.Ordinal).ToList();
        if (!names.SequenceEqual(ChannelLayout.ImageFileNames.Order(StringComparer.Ordinal)))
            return $"files must be exactly {string.Join(", ", ChannelLayout.ImageFileNames)}";
        foreach (var (name, file) in generation.Files)
        {
            if (!IsSha256(file.Sha256))
                return $"files.{name}.sha256 is not a sha256";
            if (file.Size is < 0 or > MaxImageFileBytes)
                return $"files.{name}.size {file.Size} is out of range (0 to {MaxImageFileBytes})";
        }
        return null;
    }

    public static bool IsSha256(string value) => value.Length == 64 && value.All(IsLowerHex);

    private static bool IsLowerHex(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';

    private static ChannelRefusedException Bad(string message) => new(ChannelRefusal.BadManifest, message);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

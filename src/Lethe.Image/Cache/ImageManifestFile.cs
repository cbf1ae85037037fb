using System.Text.Json;

namespace Lethe.Image.Cache;

/// <summary>Reads and writes an image set folder's manifest.json for image sets lethe did not build itself
/// (downloaded from a signed channel), so that <see cref="ImageSetFolder.TryLoad"/> loads them like any other.</summary>
public static class ImageManifestFile
{
    /// <summary>Writes manifest.json into a new folder; fails if one is already there.</summary>
    public static void WriteNew(string folder, ImageManifest manifest)
    {
        using var stream = new FileStream(Path.Combine(folder, ImageFiles.Manifest), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        JsonSerializer.Serialize(stream, manifest, ImageJson.Default.ImageManifest);
    }

    /// <summary>The manifest of a cached image set folder, or null when there is none.</summary>
    public static ImageManifest? TryRead(string folder)
    {
        var path = Path.Combine(folder, ImageFiles.Manifest);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), ImageJson.Default.ImageManifest) : null;
    }
}

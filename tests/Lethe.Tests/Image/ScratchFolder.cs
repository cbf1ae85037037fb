namespace Lethe.Tests.Image;

/// <summary>A fresh folder under the system temp dir, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lethe-image-").FullName;

    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public string Write(string relativePath, string content)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

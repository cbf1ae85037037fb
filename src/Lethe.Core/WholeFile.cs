namespace Lethe.Core;

/// <summary>
/// Replaces a small state file whole: a new file is created exclusively beside it (never opened through a link
/// planted there), written, then renamed over the old one. A crash leaves the old file or the new one, never half.
/// </summary>
public static class WholeFile
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Replace(string path, Action<Stream> write, UnixFileMode mode = Private)
    {
        var temporary = path + ".new";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            write(stream);
        File.Move(temporary, path, overwrite: true);
    }

    public static void Replace(string path, string text, UnixFileMode mode = Private) =>
        Replace(path, stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }, mode);
}

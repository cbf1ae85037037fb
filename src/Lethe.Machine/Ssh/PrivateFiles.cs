using System.Text;

namespace Lethe.Machine.Ssh;

/// <summary>Writes a file atomically: a new temporary file created exclusively (O_CREAT|O_EXCL, 0600, never
/// through a link), then renamed over the target.</summary>
internal static class PrivateFiles
{
    public static void ReplaceText(string path, string text)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.new";
        try
        {
            using (var file = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew,
                       Access = FileAccess.Write,
                       Share = FileShare.None,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                file.Write(Encoding.UTF8.GetBytes(text));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

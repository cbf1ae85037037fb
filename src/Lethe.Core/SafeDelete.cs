namespace Lethe.Core;

/// <summary>Deletes without following links: a link is removed itself, never what it points to.</summary>
public static class SafeDelete
{
    /// <summary>Removes a folder tree (or a link or file at that path). Entries that are links are
    /// unlinked, never entered; returns false when something could not be removed.</summary>
    public static bool Tree(string path)
    {
        try
        {
            var facts = PosixFiles.LStat(path);
            if (facts is null)
                return true;
            if (!facts.IsDirectory)
            {
                File.Delete(path);
                return true;
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                if (!Tree(entry))
                    return false;
            Directory.Delete(path, recursive: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

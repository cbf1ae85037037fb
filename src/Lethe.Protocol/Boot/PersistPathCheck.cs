namespace Lethe.Protocol.Boot;

/// <summary>
/// The guest's own check of a kept path (the spec checked it already, but the guest trusts no one):
/// absolute and normalised, not the root, not in a folder rebuilt at every boot or lethe's own, and
/// neither inside nor around another kept path.
/// </summary>
public static class PersistPathCheck
{
    private static readonly string[] Refused = ["/proc", "/sys", "/dev", "/run", "/tmp", SeedLayout.PersistMount];

    public static string? Problem(string path, IReadOnlyList<string> keptBefore)
    {
        if (!path.StartsWith('/') || path.Length == 1 || path.EndsWith('/') || path.Contains('\0'))
            return "not an absolute path to a file or folder";
        if (path[1..].Split('/').Any(segment => segment is "" or "." or ".."))
            return "not a normalised path (empty, '.' or '..' parts)";
        if (Refused.FirstOrDefault(root => Within(path, root)) is { } refused)
            return $"{refused} cannot be kept";
        foreach (var other in keptBefore)
        {
            if (other == path)
                return "listed twice";
            if (Within(path, other))
                return $"inside {other}, which is kept already";
            if (Within(other, path))
                return $"contains {other}, which is kept already";
        }
        return null;
    }

    /// <summary>The parents of an absolute path, top down, without "/": /a/b/c gives /a, /a/b.</summary>
    public static IEnumerable<string> Parents(string path)
    {
        for (var slash = path.IndexOf('/', 1); slash > 0; slash = path.IndexOf('/', slash + 1))
            yield return path[..slash];
    }

    private static bool Within(string path, string folder) =>
        path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);
}

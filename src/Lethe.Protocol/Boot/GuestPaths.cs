namespace Lethe.Protocol.Boot;

/// <summary>Pure checks of guest paths that root acts on: absolute and normalised, and confined below a folder.</summary>
public static class GuestPaths
{
    /// <summary>"/" or an absolute path without empty, "." or ".." parts, without a trailing slash or NUL.</summary>
    public static bool IsNormalAbsolute(string path) =>
        path == "/" || (path.StartsWith('/') && !path.EndsWith('/') && !path.Contains('\0')
            && path[1..].Split('/').All(part => part is not ("" or "." or "..")));

    /// <summary>Whether <paramref name="path"/> lies strictly below <paramref name="folder"/>, both normalised.</summary>
    public static bool IsStrictlyBelow(string path, string folder) =>
        IsNormalAbsolute(path) && IsNormalAbsolute(folder) && path != folder
        && path.StartsWith(folder == "/" ? "/" : folder + "/", StringComparison.Ordinal);

    /// <summary>The parts of a normalised absolute path: /a/b gives a, b; "/" gives none.</summary>
    public static IReadOnlyList<string> Parts(string path) =>
        path == "/" ? [] : path[1..].Split('/');
}

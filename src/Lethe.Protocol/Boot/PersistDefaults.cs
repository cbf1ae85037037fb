namespace Lethe.Protocol.Boot;

/// <summary>
/// Owner and mode for what lethe creates because the image does not have it: the user's in the home
/// folder, root's elsewhere; folders 0755 (0700 for one named .ssh), files 0644.
/// </summary>
public static class PersistDefaults
{
    public const int DirectoryMode = 0b111_101_101;
    public const int PrivateDirectoryMode = 0b111_000_000;
    public const int FileMode = 0b110_100_100;

    public static Ownership For(string path, PathKind kind, GuestUser user, bool inHome = false)
    {
        var users = inHome || IsInHome(path, user);
        var mode = kind != PathKind.Directory ? FileMode
            : path.EndsWith("/.ssh", StringComparison.Ordinal) ? PrivateDirectoryMode
            : DirectoryMode;
        return users ? new Ownership(user.Uid, user.Gid, mode) : new Ownership(0, 0, mode);
    }

    /// <summary>Whether <paramref name="path"/> is the user's home folder or inside it.</summary>
    public static bool IsInHome(string path, GuestUser user)
    {
        var home = user.Home.TrimEnd('/');
        return home.Length > 0 && (path == home || path.StartsWith(home + "/", StringComparison.Ordinal));
    }
}

namespace Lethe.Core;

/// <summary>
/// A folder only its user can reach: a real folder (not a link), owned by the user running lethe, with
/// no access for group or others. lethe writes its run folders, scratch files and machine state only
/// inside such folders, so that nobody else can plant a link or swap a file there.
/// </summary>
public static class PrivateFolder
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    /// <summary>Pure: why an existing entry cannot be used as a private folder (null: it can), and
    /// whether its mode alone is wrong, which lethe may fix because the folder is its user's own.</summary>
    public static (string? Problem, bool OnlyTooOpen) Check(string path, FileFacts facts, int uid)
    {
        if (facts.IsLink)
            return ($"{path} is a symbolic link; lethe will not write through it (remove it, or set XDG_RUNTIME_DIR or LETHE_HOME)", false);
        if (!facts.IsDirectory)
            return ($"{path} is not a folder (remove it, or set XDG_RUNTIME_DIR or LETHE_HOME)", false);
        if (facts.Uid != uid)
            return ($"{path} belongs to uid {facts.Uid}, not to you (uid {uid}); someone else may have made it: remove it, or set XDG_RUNTIME_DIR or LETHE_HOME", false);
        // A sticky folder is a shared one (like /tmp): never lethe's own to tighten.
        if (facts.Mode.HasFlag(UnixFileMode.StickyBit))
            return ($"{path} is a shared folder (sticky, mode {Convert.ToString((int)facts.Mode, 8)}); lethe needs a private one there", false);
        if ((facts.Mode & GroupOrOther) != 0 || (facts.Mode & Mode) != Mode)
            return ($"{path} has mode {Convert.ToString((int)facts.Mode, 8)}; expected 700", true);
        return (null, false);
    }

    /// <summary>
    /// Makes the folder (mode 0700) or checks the one that is there. A folder of the user's own with a
    /// looser mode is tightened through a handle opened without following links; anything else (a link,
    /// a file, another user's folder) is refused with exit 3: it is never used, moved or deleted.
    /// </summary>
    public static string Ensure(string path)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (parent is not null && PosixFiles.LStat(parent) is null)
            Ensure(parent);
        if (PosixFiles.TryMakeDirectory(path, Mode))
            return path;
        var facts = PosixFiles.LStat(path) ?? throw new HostException($"{path} vanished while lethe was making it");
        var (problem, onlyTooOpen) = Check(path, facts, PosixFiles.EffectiveUid);
        if (problem is null)
            return path;
        if (!onlyTooOpen)
            throw new HostException(problem);
        PosixFiles.SetModeNoFollow(path, Mode, directory: true);
        return path;
    }

    /// <summary>Makes a new folder (mode 0700) inside a private one; fails if anything is already there.</summary>
    public static string CreateNew(string path)
    {
        if (!PosixFiles.TryMakeDirectory(path, Mode))
            throw new IOException($"{path} already exists");
        return path;
    }
}

namespace Lethe.Spec;

/// <summary>The persist disk (sparse ext4 on the host) and the allowlist of paths kept on it.</summary>
public sealed record PersistSpec
{
    public long SizeMiB { get; init; } = 1024;
    public IReadOnlyList<PersistEntry> Paths { get; init; } = [];
}

/// <summary>
/// One kept path, normalised: absolute ("/etc/ssh") or in the user's home ("~/.ssh/known_hosts"), no trailing slash.
/// <see cref="Mode"/> and <see cref="Owner"/> (a user name, "uid" or "uid:gid") are null when not given.
/// <see cref="Type"/> says what to create when neither the image nor the persist disk has the path yet.
/// </summary>
public sealed record PersistEntry(string Path, int? Mode = null, string? Owner = null, PersistEntryType Type = PersistEntryType.Auto)
{
    public bool InHome => Path.StartsWith("~/");

    public string GuestPath(string home) => InHome ? home + Path[1..] : Path;
}

/// <summary>The optional <c>type</c> of a kept path.</summary>
public enum PersistEntryType
{
    /// <summary>Whatever the image has there; a folder when the image has nothing.</summary>
    Auto,
    /// <summary><c>type: file</c>: a file (an empty one when the image has none).</summary>
    File,
    /// <summary><c>type: dir</c>: a folder.</summary>
    Directory,
}

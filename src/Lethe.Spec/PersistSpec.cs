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
/// </summary>
public sealed record PersistEntry(string Path, int? Mode = null, string? Owner = null)
{
    public bool InHome => Path.StartsWith("~/");

    public string GuestPath(string home) => InHome ? home + Path[1..] : Path;
}

using Lethe.Core;

namespace Lethe.Machine.Warm;

/// <summary>
/// Pure: whether a file found where a snapshot belongs may be restored. Only a regular file (not a link)
/// of the caller's own, that nobody else can read or write, of a plausible size: anything else may be
/// planted (or be another user's) and is never given to QEMU's migration parser.
/// </summary>
public static class SnapshotFile
{
    public const string Extension = ".vmstate";
    public const long MaxBytes = 64L * 1024 * 1024 * 1024;

    public static string? Problem(FileFacts? facts, int uid) => facts switch
    {
        null => "there is none",
        { IsLink: true } => "it is a link",
        { IsRegularFile: false } => "it is not a regular file",
        _ when facts.Uid != uid => "it belongs to someone else",
        _ when (facts.Mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0 => "others may read or write it",
        _ when facts.Size is 0 or > MaxBytes => "its size is implausible",
        _ => null,
    };

    /// <summary>Where the snapshot of <paramref name="key"/> lives: lethe's cache, in a folder only the user can enter.</summary>
    public static string PathFor(LethePaths paths, string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(paths.Cache, "warm", key + Extension)
            : throw new ArgumentException("a snapshot key is a lowercase SHA-256", nameof(key));

    /// <summary>How many snapshots are kept, newest use first (one per shape: runs, each workstation's disks...).</summary>
    public const int Kept = 4;

    /// <summary>Snapshots unused for longer than this are collected even when fewer than <see cref="Kept"/>.</summary>
    public static readonly TimeSpan MaxIdle = TimeSpan.FromDays(14);

    /// <summary>Pure: which of the snapshots (by their last use) are collected: all but the <see cref="Kept"/> last used, and any idle too long.</summary>
    public static IReadOnlyList<string> ToCollect(IEnumerable<(string Path, DateTime LastUsedUtc)> snapshots, DateTime nowUtc) =>
        [.. snapshots.OrderByDescending(s => s.LastUsedUtc).ThenBy(s => s.Path, StringComparer.Ordinal)
            .Where((s, index) => index >= Kept || nowUtc - s.LastUsedUtc > MaxIdle)
            .Select(s => s.Path)];
}

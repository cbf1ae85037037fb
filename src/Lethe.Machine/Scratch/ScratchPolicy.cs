using System.Globalization;

namespace Lethe.Machine.Scratch;

/// <summary>Pure: whether a folder may hold scratch disks, and whether there is room for one.</summary>
public static class ScratchPolicy
{
    public const string AllowTmpfsVariable = "LETHE_SCRATCH_ALLOW_TMPFS";
    public const string Extension = ".scratch";

    /// <summary>Filesystems (as stat -f -c %T names them) whose files live in RAM.</summary>
    private static readonly string[] RamBacked = ["tmpfs", "ramfs"];

    /// <summary>
    /// Null when the folder may hold a scratch disk; else the one line that says why not. A scratch disk
    /// on tmpfs or ramfs would sit in the host's RAM (or swap) instead of on disk, which defeats it.
    /// </summary>
    public static string? FolderRefusal(string folder, string fileSystemType, string? allowTmpfs)
    {
        var type = fileSystemType.Trim();
        if (!RamBacked.Contains(type, StringComparer.OrdinalIgnoreCase) || allowTmpfs == "1")
            return null;
        return $"the scratch folder {folder} is on {type}: a scratch disk there would live in RAM; " +
            $"point XDG_CACHE_HOME at a disk-backed folder, or set {AllowTmpfsVariable}=1 to allow it";
    }

    /// <summary>Null when <paramref name="availableBytes"/> can hold the whole disk; else the one line that says how short it is.</summary>
    public static string? SpaceShortfall(string folder, long availableBytes, long sizeMiB)
    {
        var needed = sizeMiB * 1024 * 1024;
        return availableBytes >= needed
            ? null
            : $"the scratch disk needs {Size(needed)} but {folder} has only {Size(availableBytes)} free";
    }

    /// <summary>The file of one run's scratch disk: named after the run, so that a dead run's file can be told from a live one's.</summary>
    public static string FileFor(string folder, string runName)
    {
        if (runName.Length == 0 || runName.Contains('/') || runName is "." or "..")
            throw new ArgumentException($"not a run name: '{runName}'", nameof(runName));
        return Path.Combine(folder, runName + Extension);
    }

    /// <summary>The run a scratch file belongs to, or null for any other file.</summary>
    public static string? RunOf(string fileName) =>
        fileName.EndsWith(Extension, StringComparison.Ordinal) && fileName.Length > Extension.Length
            ? fileName[..^Extension.Length]
            : null;

    private static string Size(long bytes) =>
        bytes >= 1L << 30
            ? (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB"
            : (bytes >> 20).ToString(CultureInfo.InvariantCulture) + " MiB";
}

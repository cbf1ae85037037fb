using System.Globalization;

namespace Lethe.Machine.Persist;

/// <summary>One line of `find -printf '%y\t%s\t%p\n'` run in the guest.</summary>
public sealed record ListedFile(char Type, long Size, string Path)
{
    public bool IsDirectory => Type == 'd';
    /// <summary>An overlayfs whiteout: a character device 0/0 that records a deletion from the image.</summary>
    public bool IsWhiteout => Type == 'c';
}

public static class FileListing
{
    public const string FindFormat = "%y\\t%s\\t%p\\n";

    public static IReadOnlyList<ListedFile> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 3))
            .Where(parts => parts.Length == 3 && parts[0].Length == 1)
            .Select(parts => new ListedFile(parts[0][0], long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : 0, parts[2]))
            .ToList();

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it.</summary>
    public static bool IsWithin(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };
}

using System.Globalization;
using System.Text;

namespace Lethe.Machine.Persist;

/// <summary>One record of `find -printf '%y\t%s\t%p\0'` run in the guest.</summary>
public sealed record ListedFile(char Type, long Size, string Path)
{
    public bool IsDirectory => Type == 'd';
    public bool IsLink => Type == 'l';
    /// <summary>An overlayfs whiteout: a character device 0/0 that records a deletion from the image.</summary>
    public bool IsWhiteout => Type == 'c';
}

public static class FileListing
{
    /// <summary>NUL-terminated records: a file name may hold any byte but NUL, newlines and tabs included.</summary>
    public const string FindFormat = "%y\\t%s\\t%p\\0";

    public static IReadOnlyList<ListedFile> Parse(string text) =>
        text.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(record => record.Split('\t', 3))
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

    /// <summary>A name as it may be shown on a terminal: control characters and backslashes escaped (\n, \t, \x1b, \\).</summary>
    public static string Shown(string name)
    {
        if (!name.Any(c => c == '\\' || char.IsControl(c)))
            return name;
        var shown = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            shown.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return shown.ToString();
    }
}

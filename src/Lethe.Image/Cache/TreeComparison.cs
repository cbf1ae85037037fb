using System.Globalization;
using System.Text.RegularExpressions;
using Lethe.Core;
using Lethe.Image.Rootfs;

namespace Lethe.Image.Cache;

/// <summary>Where two file trees first differ: a path relative to the tree roots and what differs.</summary>
public sealed record TreeDifference(string Path, string Description);

/// <summary>Compares two trees in path order: presence, type, mode, owner, mtime, link target, size and content.</summary>
/// <remarks>Extracted image trees keep their owners (subordinate ids for an ordinary user), so listing and
/// content comparison run through <see cref="TreeAccess"/>: <c>find</c> and <c>cmp</c>.</remarks>
public static class TreeComparison
{
    public static Task<TreeDifference?> FirstDifferenceAsync(string expectedRoot, string actualRoot, CancellationToken cancellationToken) =>
        FirstDifferenceAsync(expectedRoot, actualRoot, TreeAccess.ForThisProcess(), cancellationToken);

    public static async Task<TreeDifference?> FirstDifferenceAsync(string expectedRoot, string actualRoot, TreeAccess access, CancellationToken cancellationToken)
    {
        var expected = Parse(await ListAsync(expectedRoot, access, cancellationToken).ConfigureAwait(false));
        var actual = Parse(await ListAsync(actualRoot, access, cancellationToken).ConfigureAwait(false));
        foreach (var path in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            if (Describe(path, expected.GetValueOrDefault(path), actual.GetValueOrDefault(path)) is { } metadata)
                return metadata;
            if (expected[path].Type == "f")
            {
                var compare = await access.Wrap(new HostCommand("cmp").WithArguments("--", Path.Combine(expectedRoot, path), Path.Combine(actualRoot, path)))
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                var offset = CmpOffset(compare.ExitCode, compare.Stdout, compare.Stderr);
                if (offset is not null)
                    return new TreeDifference(path, $"content differs from byte {offset}");
            }
        }
        return null;
    }

    /// <summary>One line of <see cref="ListingFormat"/>: path, type, mode, uid, gid, size (files only), mtime, link target.</summary>
    public sealed record Entry(string Type, string Mode, string Owner, string Size, string ModifiedTime, string LinkTarget);

    public const string ListingFormat = "%P\\t%y\\t%m\\t%U:%G\\t%s\\t%T@\\t%l\\n";

    /// <summary>Pure: the first metadata difference for one path, or null when the entries agree.</summary>
    public static TreeDifference? Describe(string path, Entry? expected, Entry? actual) => (expected, actual) switch
    {
        (null, null) => null,
        (null, _) => new TreeDifference(path, "only in the rebuilt image"),
        (_, null) => new TreeDifference(path, "only in the cached image"),
        _ when expected.Type != actual.Type => new TreeDifference(path, $"type {expected.Type} became {actual.Type}"),
        _ when expected.Mode != actual.Mode => new TreeDifference(path, $"mode {expected.Mode} became {actual.Mode}"),
        _ when expected.Owner != actual.Owner => new TreeDifference(path, $"owner {expected.Owner} became {actual.Owner}"),
        _ when expected.LinkTarget != actual.LinkTarget => new TreeDifference(path, $"link target {expected.LinkTarget} became {actual.LinkTarget}"),
        _ when expected.Type == "f" && expected.Size != actual.Size => new TreeDifference(path, $"size {expected.Size} became {actual.Size}"),
        _ when expected.ModifiedTime != actual.ModifiedTime => new TreeDifference(path, $"mtime {expected.ModifiedTime} became {actual.ModifiedTime}"),
        _ => null,
    };

    public static IReadOnlyDictionary<string, Entry> Parse(string listing)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length < 7 || fields[0].Length == 0)
                continue;
            entries[fields[0]] = new Entry(fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
        }
        return entries;
    }

    /// <summary>Pure: the 0-based offset of the first differing byte from <c>cmp</c>'s result, or null when the files are the same.</summary>
    public static long? CmpOffset(int exitCode, string stdout, string stderr)
    {
        if (exitCode == 0)
            return null;
        if (exitCode == 1 && Regex.Match(stdout, @"differ: (?:byte|char) (\d+)", RegexOptions.RightToLeft) is { Success: true } differ)
            return long.Parse(differ.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
        if (Regex.Match(stderr, @"EOF on .* after (?:byte|char) (\d+)", RegexOptions.RightToLeft) is { Success: true } shorter)
            return long.Parse(shorter.Groups[1].Value, CultureInfo.InvariantCulture);
        if (stderr.Contains("which is empty", StringComparison.Ordinal))
            return 0;
        throw new ToolFailedException("cmp", exitCode, stderr);
    }

    private static Task<string> ListAsync(string root, TreeAccess access, CancellationToken cancellationToken) =>
        access.Wrap(new HostCommand("find").WithArguments(root, "-printf", ListingFormat)).RunAsync(cancellationToken);
}

using System.Globalization;

namespace Lethe.Image.Rootfs;

/// <summary>A block of subordinate ids from /etc/subuid or /etc/subgid.</summary>
public sealed record SubordinateRange(long Start, long Count)
{
    public long End => Start + Count;
}

/// <summary>
/// Reads /etc/subuid and /etc/subgid text (pure). A user who is not root builds images in a user
/// namespace, which needs a block of at least 65536 subordinate ids (namespace ids 0–65535).
/// </summary>
public static class SubordinateIds
{
    public const long NeededCount = 65536;
    private const long FirstSuggested = 100000;

    /// <summary>The user's first block (entries name the user or the numeric id), or null when there is none.</summary>
    public static SubordinateRange? RangeFor(string fileText, string userName, long userId) =>
        Entries(fileText).FirstOrDefault(entry => entry.Owner == userName || entry.Owner == userId.ToString(CultureInfo.InvariantCulture)).Range;

    /// <summary>A free block of <see cref="NeededCount"/> ids above every block in either file, from 100000.</summary>
    public static SubordinateRange SuggestFree(string subuidText, string subgidText)
    {
        var start = Entries(subuidText).Concat(Entries(subgidText)).Select(entry => entry.Range.End).Append(FirstSuggested).Max();
        return new SubordinateRange(start, NeededCount);
    }

    /// <summary>What is wrong with the user's ranges, or null when both are big enough.</summary>
    public static string? Problem(string subuidText, string subgidText, string userName, long userId)
    {
        foreach (var (file, text) in new[] { ("/etc/subuid", subuidText), ("/etc/subgid", subgidText) })
        {
            var range = RangeFor(text, userName, userId);
            if (range is null)
                return $"{file} has no range for {userName}: an image build needs one for its user namespace";
            if (range.Count < NeededCount)
                return $"{file} gives {userName} {range.Count} ids; an image build needs {NeededCount}";
        }
        return null;
    }

    /// <summary>The one command that gives the user a free block in both files.</summary>
    public static string FixCommand(string subuidText, string subgidText, string userName)
    {
        var free = SuggestFree(subuidText, subgidText);
        var ids = $"{free.Start}-{free.End - 1}";
        return $"sudo usermod --add-subuids {ids} --add-subgids {ids} {userName}";
    }

    private static IEnumerable<(string Owner, SubordinateRange Range)> Entries(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Trim().Split(':');
            if (fields.Length == 3 && fields[0].Length > 0
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
                yield return (fields[0], new SubordinateRange(start, count));
        }
    }
}

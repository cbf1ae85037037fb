using System.Runtime.CompilerServices;
using System.Text;

namespace Lethe.Machine.Network.Log;

/// <summary>
/// Reads a decision log: the older generation, then the current file, optionally following it (across
/// rotations) while <c>running</c> says the machine still runs. Lines that are not records are skipped.
/// </summary>
public static class DecisionLogReader
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    public static async IAsyncEnumerable<DecisionRecord> ReadAsync(string path, bool follow, Func<bool> running, [EnumeratorCancellation] CancellationToken stop)
    {
        foreach (var record in ReadAll(DecisionLogFile.OlderGeneration(path)))
            yield return record;
        var pending = new StringBuilder();
        FileStream? file = null;
        try
        {
            while (true)
            {
                if (file is null && File.Exists(path))
                    file = Open(path);
                if (file is not null)
                {
                    foreach (var line in ReadLines(file, pending))
                        if (DecisionJson.TryParse(line) is { } record)
                            yield return record;
                }
                if (!follow || !running())
                    break;
                await Task.Delay(FollowInterval, stop).ConfigureAwait(false);
                if (file is not null && Replaced(file, path))
                {
                    foreach (var line in ReadLines(file, pending))
                        if (DecisionJson.TryParse(line) is { } record)
                            yield return record;
                    await file.DisposeAsync().ConfigureAwait(false);
                    file = null;
                    pending.Clear();
                }
            }
        }
        finally
        {
            if (file is not null)
                await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IEnumerable<DecisionRecord> ReadAll(string path)
    {
        if (!File.Exists(path))
            yield break;
        using var file = Open(path);
        foreach (var line in ReadLines(file, new StringBuilder()))
            if (DecisionJson.TryParse(line) is { } record)
                yield return record;
    }

    private static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>The complete lines added since the last call; a partial last line waits in <paramref name="pending"/>.</summary>
    private static List<string> ReadLines(FileStream file, StringBuilder pending)
    {
        var lines = new List<string>();
        var buffer = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        int read;
        // Lines are written whole, so a read never ends inside a character except at a partial last line,
        // which is read again complete next time: rewind to the last newline byte.
        while ((read = file.Read(buffer)) > 0)
        {
            var lastNewline = buffer.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (lastNewline < 0 && read == buffer.Length)
                lastNewline = read - 1;
            if (lastNewline < 0)
            {
                file.Seek(-read, SeekOrigin.Current);
                break;
            }
            file.Seek(lastNewline + 1 - read, SeekOrigin.Current);
            var count = Encoding.UTF8.GetChars(buffer, 0, lastNewline + 1, chars, 0);
            pending.Append(chars, 0, count);
            if (read < buffer.Length)
                break;
        }
        var text = pending.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0)
            return lines;
        lines.AddRange(text[..end].Split('\n'));
        pending.Clear().Append(text[(end + 1)..]);
        return lines;
    }

    /// <summary>The writer started a new generation: the path now names another file than the one open.</summary>
    private static bool Replaced(FileStream file, string path)
    {
        var current = new FileInfo(path);
        return !current.Exists || current.Length < file.Position;
    }
}

using System.Text;

namespace Lethe.Tests.Integration;

/// <summary>Looks for a marker value where a secret must never be on the host: argv, environments, files.</summary>
public static class SecretScan
{
    /// <summary>"PID (comm)" of every host process whose argv holds the marker.</summary>
    public static List<string> ProcessesWithMarkerInArgv(string marker)
    {
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
                continue;
            if (Read(Path.Combine(folder, "cmdline")) is { } argv && Contains(argv, marker))
                found.Add($"{pid} ({Comm(pid)})");
        }
        return found;
    }

    /// <summary>The pids of processes whose parent is <paramref name="parent"/>.</summary>
    public static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || Read(Path.Combine(folder, "stat")) is not { } stat)
                continue;
            // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
            var text = Encoding.UTF8.GetString(stat);
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture))
                children.Add(pid);
        }
        return children;
    }

    public static string Comm(int pid) => Read($"/proc/{pid}/comm") is { } comm ? Encoding.UTF8.GetString(comm).Trim() : "?";

    public static byte[]? Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every regular file below <paramref name="root"/> (links not followed) whose bytes hold the marker; and how many files were read.</summary>
    public static (List<string> Files, int Scanned) FilesContaining(string root, string marker, params string[] skipFolders)
    {
        var found = new List<string>();
        var scanned = 0;
        if (!Directory.Exists(root))
            return (found, 0);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            if (skipFolders.Any(skip => file.StartsWith(skip + "/", StringComparison.Ordinal)))
                continue;
            // Links are skipped by the enumeration; sockets fail to open and count as not holding it.
            if (new FileInfo(file).LinkTarget is not null)
                continue;
            scanned++;
            if (FileContains(file, marker))
                found.Add(file);
        }
        return (found, scanned);
    }

    public static bool FileContains(string path, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new byte[(1 << 20) + needle.Length];
            var kept = 0;
            int read;
            while ((read = stream.Read(buffer, kept, buffer.Length - kept)) > 0)
            {
                var length = kept + read;
                if (buffer.AsSpan(0, length).IndexOf(needle) >= 0)
                    return true;
                kept = Math.Min(needle.Length - 1, length);
                buffer.AsSpan(length - kept, kept).CopyTo(buffer);
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Contains(byte[] bytes, string marker) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0;

    /// <summary>A value no file, log or image could hold by chance.</summary>
    public static string NewMarker(string label) => $"lethe-{label}-{Guid.NewGuid():N}";
}

using System.Collections.Concurrent;
using System.Text;
using Lethe.Core;
using Lethe.Spec.Secrets;

namespace Lethe.Machine.Audit;

/// <summary>
/// Scans every regular file below a folder (an extracted image, or a host file) with <see cref="SecretScanner"/>.
/// Links are never followed. Files are read as Latin-1, so a byte is a character: text and binaries alike are
/// scanned, and line numbers count '\n' bytes.
/// </summary>
public static class TreeSecretScan
{
    public static IReadOnlyList<SecretFinding> ScanTree(string root, string label, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        Collect(new DirectoryInfo(root), files);
        var findings = new ConcurrentBag<SecretFinding>();
        Parallel.ForEach(files, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, file =>
        {
            var inside = "/" + Path.GetRelativePath(root, file);
            foreach (var finding in ScanFile(file, label + inside))
                findings.Add(finding);
        });
        return [.. findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Rule, StringComparer.Ordinal)];
    }

    /// <summary>One file, named <paramref name="name"/> in the findings (its name decides the file rules).</summary>
    public static IReadOnlyList<SecretFinding> ScanFile(string file, string name)
    {
        using var handle = PosixFiles.OpenNoFollow(file);
        var length = RandomAccess.GetLength(handle);
        var head = new byte[(int)Math.Min(length, 8192)];
        var headRead = ReadFully(handle, head, 0);
        if (headRead == 0 || IsBinary(head.AsSpan(0, headRead)))
            return [];
        var bytes = new byte[length];
        var read = ReadFully(handle, bytes, 0);
        return SecretScanner.Scan(name, Encoding.Latin1.GetString(bytes, 0, read));
    }

    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, long offset)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), offset + read);
            if (n == 0)
                break;
            read += n;
        }
        return read;
    }

    /// <summary>A NUL byte in the first 8 KiB (git's and grep's test). Binaries are not scanned: Debian's own
    /// libraries carry self-test keys (libgnutls holds PEM private keys for its FIPS self-tests), and a token
    /// compiled into a program is out of this scanner's reach anyway.</summary>
    public static bool IsBinary(ReadOnlySpan<byte> content) => content[..Math.Min(content.Length, 8192)].Contains((byte)0);

    private static void Collect(DirectoryInfo folder, List<string> files)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            // lstat: a link is skipped, a FIFO or device is never opened (it could block or be endless).
            var facts = PosixFiles.LStat(entry.FullName);
            if (facts is { IsDirectory: true })
                Collect(new DirectoryInfo(entry.FullName), files);
            else if (facts is { IsRegularFile: true })
                files.Add(entry.FullName);
        }
    }
}

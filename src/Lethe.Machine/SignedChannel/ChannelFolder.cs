using System.Security.Cryptography;
using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// The publisher's writes into a channel folder: real folders only (a link or a planted file is refused,
/// never followed), each new file created exclusively under a temporary name and renamed into place.
/// </summary>
internal static class ChannelFolder
{
    /// <summary>Makes the folder and its parents if missing; a link or a file there is refused.</summary>
    public static string EnsureFolder(string path)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (parent is not null && PosixFiles.LStat(parent) is null)
            EnsureFolder(parent);
        if (PosixFiles.TryMakeDirectory(path, (UnixFileMode)0b111_101_101))
            return path;
        var facts = PosixFiles.LStat(path) ?? throw new HostException($"{path} vanished while lethe was making it");
        if (facts.IsLink)
            throw new UsageException($"{path} is a symbolic link; lethe will not publish through it");
        if (!facts.IsDirectory)
            throw new UsageException($"{path} is not a folder");
        return path;
    }

    /// <summary>An existing entry the publisher may replace: null when nothing is there, else it must be a regular file.</summary>
    public static FileFacts? ExistingFile(string path)
    {
        var facts = PosixFiles.LStat(path);
        if (facts is { IsRegularFile: false })
            throw new UsageException($"{path} is {(facts.IsLink ? "a symbolic link" : "not a regular file")}; lethe will not publish over it (remove it)");
        return facts;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> through a new temporary file and a rename; returns its sha256.</summary>
    public static async Task<string> CopyAsync(string source, string target, CancellationToken cancellationToken)
    {
        var temporary = TemporaryName(target);
        try
        {
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                output.Flush(flushToDisk: true);
                File.SetUnixFileMode(output.SafeFileHandle, (UnixFileMode)0b110_100_100);
                File.Move(temporary, target, overwrite: true);
                return Convert.ToHexStringLower(hash.GetHashAndReset());
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes new bytes to a new temporary file next to <paramref name="target"/>; the caller renames it.</summary>
    public static async Task<string> WriteTemporaryAsync(string target, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = TemporaryName(target);
        await using var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
        File.SetUnixFileMode(output.SafeFileHandle, (UnixFileMode)0b110_100_100);
        return temporary;
    }

    private static string TemporaryName(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
}

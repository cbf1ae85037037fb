using System.Security.Cryptography;
using System.Text;
using Lethe.Core;
using Lethe.Spec;

namespace Lethe.Image.Lock;

/// <summary>Where a spec's lock file lives: beside the spec, or in the cache for the embedded default.</summary>
public static class LockLocation
{
    public static string For(MachineSpec spec, LethePaths paths) =>
        spec.SourcePath is { } source
            ? Path.ChangeExtension(source, ".lock")
            : Path.Combine(paths.Cache, $"default-{spec.Image.Suite}.lock");

    /// <summary>The lock to build with: null when there is none yet or it was written for another suite.</summary>
    public static PackageLock? TryRead(string path, string suite, Action<string>? report = null)
    {
        if (!File.Exists(path))
            return null;
        var existing = PackageLock.Parse(File.ReadAllText(path), path);
        if (existing.Suite == suite)
            return existing;
        report?.Invoke($"{Path.GetFileName(path)} is for suite {existing.Suite}, not {suite}: taking the newest versions");
        return null;
    }

    /// <summary>
    /// Writes the lock beside the spec, in a folder its user controls, so anything there may be planted:
    /// a temporary file with a random name, created exclusively (O_CREAT|O_EXCL never follows a link),
    /// given to the spec's owner through its open handle when root builds, then renamed over the lock
    /// (rename replaces a link and never follows it). Another user's build chowns nothing.
    /// </summary>
    /// <param name="ownerReference">A file whose owner the lock should get (the spec), or null.</param>
    public static async Task WriteAsync(string path, PackageLock packageLock, string? ownerReference, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var owner = Environment.IsPrivilegedProcess && ownerReference is not null ? await OwnerOfAsync(ownerReference, cancellationToken).ConfigureAwait(false) : null;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(packageLock.Format()), cancellationToken).ConfigureAwait(false);
                if (owner is { } ids)
                    GiveTo(stream, ids.Uid, ids.Gid, temporary);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The owner of a file (of the link itself, if it is one), or null when it is gone.</summary>
    private static void GiveTo(FileStream stream, uint uid, uint gid, string nameForErrors)
    {
        try
        {
            PosixFiles.ChangeOwner(stream.SafeFileHandle, (int)uid, (int)gid);
        }
        catch (IOException e)
        {
            throw new LetheException($"cannot give {nameForErrors} to {uid}:{gid}: {e.Message}", inner: e);
        }
    }

    private static async Task<(uint Uid, uint Gid)?> OwnerOfAsync(string path, CancellationToken cancellationToken)
    {
        var result = await new HostCommand("stat").WithArguments("-c", "%u %g", "--", path).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        var ids = result.Stdout.Split(' ', StringSplitOptions.TrimEntries);
        return result.ExitCode == 0 && ids.Length == 2 && uint.TryParse(ids[0], out var uid) && uint.TryParse(ids[1], out var gid) ? (uid, gid) : null;
    }
}

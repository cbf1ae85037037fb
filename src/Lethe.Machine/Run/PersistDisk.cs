using Lethe.Core;

namespace Lethe.Machine.Run;

/// <summary>
/// A workstation's persist disk: a sparse raw file holding ext4, made by the host's mkfs.ext4 at the
/// first up. It is made under a temporary name and renamed into place, so a crash never leaves a
/// half-made disk that a later boot would trust. A larger persist.size grows it at the next start.
/// </summary>
public static class PersistDisk
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task<string> EnsureAsync(string path, long sizeMiB, CancellationToken stop)
    {
        if (ExistingDisk(path) is not null)
            return path;
        PrivateFolder.Ensure(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        File.Delete(temporary);
        await using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private }))
            file.SetLength(sizeMiB * 1024 * 1024);
        await new HostCommand("mkfs.ext4")
            .WithArguments("-q", "-F", "-L", "lethe-persist", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1", temporary)
            .RunAsync(stop).ConfigureAwait(false);
        File.Move(temporary, path);
        return path;
    }

    /// <summary>Makes the disk at the first start, or grows it to a larger persist.size at a later one;
    /// returns a warning line when a smaller size was asked for (disks are never shrunk).</summary>
    public static async Task<string?> PrepareAsync(string path, long sizeMiB, CancellationToken stop)
    {
        if (ExistingDisk(path) is null)
        {
            await EnsureAsync(path, sizeMiB, stop).ConfigureAwait(false);
            return null;
        }
        return await GrowAsync(path, sizeMiB, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// Grows an existing disk to persist.size when that is larger: the file is extended (sparse), then
    /// e2fsck and resize2fs grow the ext4 in it. Both work unprivileged on a file the user owns. A smaller
    /// size is never applied (ext4 shrinking can lose data); the returned line says so. Null: nothing to say.
    /// </summary>
    public static async Task<string?> GrowAsync(string path, long sizeMiB, CancellationToken stop)
    {
        if (ExistingDisk(path) is not { } facts)
            return null;
        var decision = PersistGrowth.Decide(facts.Size, sizeMiB);
        if (decision.Kind != PersistGrowthKind.Grow)
            return decision.Warning;
        using (var handle = PosixFiles.OpenNoFollow(path, write: true))
            RandomAccess.SetLength(handle, decision.NewBytes);
        // -p repairs only what is safe without asking; exit 1 means it fixed something, which is fine.
        var check = await new HostCommand("e2fsck").WithArguments("-f", "-p", path).ExecuteAsync(stop).ConfigureAwait(false);
        if (check.ExitCode > 1)
            throw new LetheException($"e2fsck found problems in {path} it would not fix by itself (exit {check.ExitCode}); the disk was not grown");
        await new HostCommand("resize2fs").WithArguments(path).RunAsync(stop).ConfigureAwait(false);
        return null;
    }

    private static FileFacts? ExistingDisk(string path) => PosixFiles.LStat(path) switch
    {
        null => null,
        { IsRegularFile: true } facts => facts,
        _ => throw new HostException($"{path} is not a regular file (a link or a folder); lethe will not use it as a persist disk"),
    };
}

public enum PersistGrowthKind { Keep, Grow, RefuseShrink }

/// <summary>Pure: what to do with an existing persist disk of some size when the spec asks for another.</summary>
public sealed record PersistGrowth(PersistGrowthKind Kind, long NewBytes, string? Warning)
{
    public static PersistGrowth Decide(long currentBytes, long wantedMiB)
    {
        var wanted = wantedMiB * 1024 * 1024;
        if (wanted > currentBytes)
            return new PersistGrowth(PersistGrowthKind.Grow, wanted, null);
        if (wanted < currentBytes)
            return new PersistGrowth(PersistGrowthKind.RefuseShrink, currentBytes,
                $"persist.size {wantedMiB}M is smaller than the disk ({currentBytes >> 20}M); disks are never shrunk, it stays {currentBytes >> 20}M");
        return new PersistGrowth(PersistGrowthKind.Keep, currentBytes, null);
    }
}

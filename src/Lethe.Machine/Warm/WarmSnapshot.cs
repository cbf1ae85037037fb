using Lethe.Core;
using Lethe.Machine.Qemu;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Warm;

/// <summary>
/// Taking and finding warm snapshots: a migration stream of a guest stopped where it asked for its seed
/// (before anything unique exists in it), kept in the user's 0700 cache/warm folder under its
/// <see cref="SnapshotKey"/>. A new snapshot is written under a fresh exclusive temporary name, synced,
/// and renamed into place only once QEMU says the migration completed.
/// </summary>
public static class WarmSnapshot
{
    private const string FdName = "lethe-snapshot";
    public static readonly TimeSpan MigrationTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The key of a launch: its shape, and the identities of the image, kernel, initramfs and QEMU binary it runs.</summary>
    public static string KeyFor(QemuLaunch launch, string imageDigest)
    {
        var qemu = VmmFiles.LocateTools(launch.Binary).Qemu;
        var disks = new SnapshotKey.DiskSizes(SizeOf(launch.PersistDisk), SizeOf(launch.ScratchDisk));
        return SnapshotKey.For(launch, imageDigest, Identity(launch.Kernel) + " " + Identity(launch.Initramfs), Identity(qemu), disks);
    }

    private static long SizeOf(string? disk) => disk is null ? 0 : new FileInfo(disk).Length;

    // Size and modification time: a rebuilt kernel, initramfs or an upgraded QEMU changes them.
    private static string Identity(string path)
    {
        var facts = PosixFiles.LStat(path) ?? throw new HostException($"{path} is missing");
        return FormattableString.Invariant($"{facts.Size}@{File.GetLastWriteTimeUtc(path).Ticks}");
    }

    /// <summary>The snapshot file opened without following links, or null and why not (null note: there is none).</summary>
    public static (SafeFileHandle? File, string? Note) OpenForRestore(string path)
    {
        var facts = PosixFiles.LStat(path);
        if (SnapshotFile.Problem(facts, PosixFiles.EffectiveUid) is { } problem)
            return (null, facts is null ? null : $"lethe: the warm snapshot is not used: {problem}");
        return (PosixFiles.OpenNoFollow(path), null);
    }

    /// <summary>Stops the guest and migrates it into <paramref name="path"/> (a template: it never goes on).</summary>
    public static async Task TakeAsync(QmpClient qmp, string path, CancellationToken stop)
    {
        var folder = PrivateFolder.Ensure(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        await qmp.ExecuteAsync("stop", null, stop).ConfigureAwait(false);
        try
        {
            await using (var file = new FileStream(temporary, new FileStreamOptions
                { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                await qmp.GetFdAsync(FdName, file.SafeFileHandle, stop).ConfigureAwait(false);
                await qmp.ExecuteAsync("migrate", new Dictionary<string, string> { ["uri"] = "fd:" + FdName }, stop).ConfigureAwait(false);
                await WaitForMigrationAsync(qmp, stop).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            // Never over another run's snapshot of the same key: the first one stays.
            File.Move(temporary, path, overwrite: false);
            Collect(folder);
        }
        catch (IOException) when (File.Exists(path))
        {
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Marks a snapshot as just used: the collection keeps the last used ones.</summary>
    public static void MarkUsed(SafeFileHandle snapshot) => File.SetLastWriteTimeUtc(snapshot, DateTime.UtcNow);

    /// <summary>Deletes the snapshots <see cref="SnapshotFile.ToCollect"/> picks (only regular files named like snapshots, never through a link).</summary>
    private static void Collect(string folder)
    {
        var snapshots = Directory.EnumerateFiles(folder, "*" + SnapshotFile.Extension)
            .Where(f => PosixFiles.LStat(f) is { IsRegularFile: true, IsLink: false })
            .Select(f => (f, File.GetLastWriteTimeUtc(f)));
        foreach (var old in SnapshotFile.ToCollect(snapshots, DateTime.UtcNow))
            File.Delete(old);
    }

    /// <summary>Waits until QEMU's migration (out or in) completed; a failed or cancelled one, or the timeout, throws.</summary>
    public static async Task WaitForMigrationAsync(QmpClient qmp, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(MigrationTimeout);
        while (true)
        {
            var status = QmpMessage.ReturnString(await qmp.ExecuteAsync("query-migrate", null, deadline.Token).ConfigureAwait(false), "status");
            switch (status)
            {
                case "completed":
                    return;
                case "failed" or "cancelled":
                    throw new IOException($"QEMU's migration {status}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(25), deadline.Token).ConfigureAwait(false);
        }
    }
}

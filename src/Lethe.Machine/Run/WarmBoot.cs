using Lethe.Core;
using Lethe.Machine.Network;
using Lethe.Machine.Qemu;
using Lethe.Machine.Warm;
using Lethe.Protocol;
using Lethe.Spec;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Run;

/// <summary>
/// Warm starts: every warm machine is restored from a snapshot of its shape. A missing snapshot is first taken
/// from a template: a QEMU of the same shape, on blank disks of the same sizes, stopped where its guest asks for
/// its seed and migrated to a file, then killed. The template never gets a seed, never opens the real disks'
/// contents and never goes on, so a snapshot holds nothing of any machine, and QEMU never has to take a disk's
/// lock back after a migration (which QEMU 7.2 cannot). The restored guest reads its own disks: before its seed
/// nothing in it holds a disk open, and Linux drops a disk's cached blocks when the kernel's probe closes it.
/// Any failure boots cold, with one line.
/// </summary>
internal static class WarmBoot
{
    public static async Task<(VirtualMachine Vm, ControlMessage Ready)> StartAsync(LethePaths paths, BootRequest boot, RunDirectory run, QemuLaunch launch,
        VmmAccount? account, TextWriter diagnostics, CancellationToken stop)
    {
        // The gateway's socket is made per launch; its shape (a socket netdev) is what the key needs.
        var shape = boot.Network is null && boot.Spec.Network.Mode == NetworkMode.Gateway ? launch with { Network = QemuNetwork.Gateway } : launch;
        var snapshot = SnapshotFile.PathFor(paths, WarmSnapshot.KeyFor(shape, boot.Image.Digest));
        var (file, refusal) = WarmSnapshot.OpenForRestore(snapshot);
        if (refusal is not null)
            diagnostics.WriteLine(refusal);
        if (file is null && refusal is null)
        {
            try
            {
                await TakeFromTemplateAsync(paths, boot, launch, account, snapshot, diagnostics, stop).ConfigureAwait(false);
                (file, refusal) = WarmSnapshot.OpenForRestore(snapshot);
                if (refusal is not null)
                    diagnostics.WriteLine(refusal);
            }
            catch (Exception e) when (!stop.IsCancellationRequested && IsBootFailure(e))
            {
                diagnostics.WriteLine($"lethe: no warm snapshot was taken ({e.Message}); booting cold");
            }
        }
        if (file is null)
            return await MachineBoot.BootAsync(boot, run, launch, account, diagnostics, stop).ConfigureAwait(false);
        try
        {
            WarmSnapshot.MarkUsed(file);
            return await RestoreAsync(boot, run, launch, account, file, diagnostics, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (!stop.IsCancellationRequested && IsBootFailure(e))
        {
            diagnostics.WriteLine($"lethe: the warm snapshot was not restored ({e.Message}); booting cold");
            File.Delete(run.ConsoleLog);
            File.Delete(run.Seed);
            return await MachineBoot.BootAsync(boot, run, launch, account, diagnostics, stop).ConfigureAwait(false);
        }
    }

    private static bool IsBootFailure(Exception e) =>
        e is LetheException or IOException or InvalidDataException or QmpException or UnauthorizedAccessException or OperationCanceledException;

    /// <summary>QEMU restores the snapshot (paused where the guest asked for its seed), runs on, and the guest gets its own fresh seed.</summary>
    private static async Task<(VirtualMachine Vm, ControlMessage Ready)> RestoreAsync(BootRequest boot, RunDirectory run, QemuLaunch launch, VmmAccount? account,
        SafeFileHandle snapshot, TextWriter diagnostics, CancellationToken stop)
    {
        var (vm, qmp, seed) = await MachineBoot.LaunchAsync(boot, run, launch, account, snapshot, withQmp: true, diagnostics).ConfigureAwait(false);
        try
        {
            await qmp!.ConnectAsync(stop).ConfigureAwait(false);
            await WarmSnapshot.WaitForMigrationAsync(qmp, stop).ConfigureAwait(false);
            await qmp.ExecuteAsync("cont", null, stop).ConfigureAwait(false);
            // The restored guest already said seed-wanted (before the snapshot) and waits: the seed goes at once, once.
            return (vm, await MachineBoot.WaitForReadyAsync(vm, seed, boot.ReadyTimeout, stop).ConfigureAwait(false));
        }
        catch
        {
            await vm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Boots a template of <paramref name="launch"/>'s shape up to the guest's seed-wanted, migrates it into <paramref name="snapshot"/>, kills it.</summary>
    private static async Task TakeFromTemplateAsync(LethePaths paths, BootRequest boot, QemuLaunch launch, VmmAccount? account, string snapshot,
        TextWriter diagnostics, CancellationToken stop)
    {
        using var template = RunDirectory.Create(paths.Runs, boot.MachineName + "-template");
        var blank = launch with
        {
            ConsoleLog = template.ConsoleLog,
            ScratchDisk = launch.ScratchDisk is { } scratch ? BlankDisk(template, "scratch.img", scratch) : null,
            PersistDisk = launch.PersistDisk is { } persist ? BlankDisk(template, "persist.img", persist) : null,
        };
        var (vm, qmp, _) = await MachineBoot.LaunchAsync(boot with { NetworkLog = null }, template, blank, account, incoming: null, withQmp: true, diagnostics)
            .ConfigureAwait(false);
        await using (vm.ConfigureAwait(false))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            deadline.CancelAfter(boot.ReadyTimeout);
            await qmp!.ConnectAsync(deadline.Token).ConfigureAwait(false);
            await MachineBoot.WaitForAsync(vm, MessageTypes.SeedWanted, boot.ReadyTimeout, deadline.Token, stop).ConfigureAwait(false);
            await WarmSnapshot.TakeAsync(qmp, snapshot, stop).ConfigureAwait(false);
        }
    }

    /// <summary>A sparse, empty file of the size of <paramref name="like"/>: the guest's kernel sees a disk of the same size.</summary>
    private static string BlankDisk(RunDirectory template, string name, string like)
    {
        var path = Path.Combine(template.Path, name);
        using var disk = new FileStream(path, new FileStreamOptions
            { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        disk.SetLength(new FileInfo(like).Length);
        return path;
    }
}

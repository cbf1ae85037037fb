using System.Diagnostics;
using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;

namespace Lethe.Machine.Bench;

/// <summary>
/// The floor: lethe's own QEMU launch (the same microvm, devices, kernel command line, confinement and
/// account) of the image's kernel, with <see cref="BootFloorInit"/>'s initramfs instead of lethe's. Wall time
/// runs from just before QEMU is started to its exit.
/// </summary>
public sealed class BootFloorKind(LethePaths paths, BootRequest boot) : IBootKind
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public string Name => BootKinds.Floor;

    public string Description => "the same kernel and QEMU launch as lethe (-M microvm), with an init that powers off at once";

    public async Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop)
    {
        using var run = RunDirectory.Create(paths.Runs, boot.MachineName + "-floor");
        var initramfs = Path.Combine(run.Path, "floor.cpio");
        File.WriteAllBytes(initramfs, BootFloorInit.Initramfs());
        var (account, _, lease) = await VmmAccounts.ForBootAsync(boot.Accel.Accelerator == Accel.Accelerator.Kvm, null, stop).ConfigureAwait(false);
        using (lease)
        {
            var launch = MachineBoot.LaunchFor(boot with { Workspace = null, Network = null, Spec = boot.Spec with { Usb = [] } }, run)
                with { Network = QemuNetwork.None, Initramfs = initramfs };
            var clock = Stopwatch.StartNew();
            await using var vm = await VirtualMachine.StartAsync(launch, account).ConfigureAwait(false);
            run.WriteOwner(vm.Pid);
            await using var rss = new QemuRssWatch(vm.Pid);
            using var stopped = stop.Register(vm.Kill);
            if (!await vm.WaitForExitAsync(Limit).ConfigureAwait(false))
                throw new LetheException($"the floor's QEMU did not power off within {Limit.TotalMinutes:0} minutes" + vm.StderrSuffix());
            var wall = clock.Elapsed.TotalMilliseconds;
            stop.ThrowIfCancellationRequested();
            return new BootSample { Kind = Name, Round = round, WallMs = Math.Round(wall, 1), QemuPeakRssKiB = rss.PeakKiB };
        }
    }
}

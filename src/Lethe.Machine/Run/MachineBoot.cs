using Lethe.Core;
using Lethe.Machine.Network;
using Lethe.Machine.Qemu;
using Lethe.Machine.Scratch;
using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Run;

/// <summary>Boots a machine: writes the run's initramfs, starts QEMU unprivileged, waits for the guest's "ready".</summary>
public static class MachineBoot
{
    public static async Task<(VirtualMachine Vm, ControlMessage Ready)> StartAsync(LethePaths paths, BootRequest boot, RunDirectory run, TextWriter diagnostics, CancellationToken stop)
    {
        ScratchFile.CleanStale(paths.Scratch, name => Directory.Exists(System.IO.Path.Combine(paths.Runs, name)));
        var scratch = boot.Scratch is { } size
            ? run.Own(await ScratchFile.CreateAsync(paths.Scratch, run.Name, size.SizeMiB, stop: stop).ConfigureAwait(false))
            : null;
        var (account, share, lease) = await VmmAccounts.ForBootAsync(
            boot.Accel.Accelerator == Accel.Accelerator.Kvm, boot.Shares ? boot.Workspace!.HostPath! : null, stop).ConfigureAwait(false);
        if (lease is not null)
            run.Own(lease);
        if (share?.Note is { } note)
            diagnostics.WriteLine(note);
        if (share is { Shared: false })
            boot = boot with { Workspace = null };
        // The gateway starts before QEMU (QEMU inherits its socket) and goes with QEMU's VirtualMachine.
        var network = boot.Network is null && boot.Spec.Network.Mode == NetworkMode.Gateway
            ? MachineNetwork.Start(boot.Spec.Network, workstation: boot.PersistDisk is not null, boot.NetworkLog ?? run.NetworkLog, diagnostics)
            : null;
        VirtualMachine vm;
        try
        {
            if (network is not null)
                boot = boot with { Network = network.Boot };
            WriteSeed(boot, run);
            var launch = ScratchFault.Apply(LaunchFor(boot, run) with { ScratchDisk = scratch?.Path }, Environment.GetEnvironmentVariable(ScratchFault.Variable));
            vm = await VirtualMachine.StartAsync(launch, account, gatewaySocket: boot.Network?.GatewaySocket).ConfigureAwait(false);
        }
        catch
        {
            if (network is not null)
                await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (network is not null)
            vm.Own(network);
        run.WriteOwner(vm.Pid);
        try
        {
            return (vm, await WaitForReadyAsync(vm, boot.ReadyTimeout, stop).ConfigureAwait(false));
        }
        catch
        {
            await vm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void WriteSeed(BootRequest boot, RunDirectory run)
    {
        var seed = SeedBuilder.For(boot);
        SeedArchive.WriteRunInitramfs(boot.Image.InitramfsPath, seed, run.Initramfs);
        // A readable copy of what the guest was told, for lethe verify's check that no key material is in it.
        using var seedFile = new FileStream(run.Seed, new FileStreamOptions
            { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        seedFile.Write(ProtocolJson.Serialize(seed));
    }

    public static QemuLaunch LaunchFor(BootRequest boot, RunDirectory run) => new()
    {
        Accelerator = boot.Accel.Accelerator,
        MemoryMiB = boot.MemoryMiB,
        Cpus = boot.Cpus,
        Kernel = boot.Image.KernelPath,
        Initramfs = run.Initramfs,
        RootImage = boot.Image.RootfsPath,
        ConsoleLog = run.ConsoleLog,
        Debug = boot.Debug,
        GuestTscKhz = boot.Accel.Accelerator == Accel.Accelerator.Tcg ? HostClock.ReadTscKhz() : null,
        PersistDisk = boot.PersistDisk,
        Workspace = boot.Shares ? new SharedFolderLaunch(boot.Workspace!.HostPath!, ReadOnly: boot.Workspace.Mode == WorkspaceMode.Overlay) : null,
        Network = boot.Network?.Backend ?? QemuNetwork.None,
        Usb = boot.Spec.Usb,
    };

    private static async Task<ControlMessage> WaitForReadyAsync(VirtualMachine vm, TimeSpan timeout, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);
        try
        {
            while (await vm.Channel.ReceiveAsync(deadline.Token).ConfigureAwait(false) is { } message)
            {
                if (message.Type == MessageTypes.Ready)
                    return message;
                if (message.Type == MessageTypes.Error)
                    throw new LetheException($"the machine failed to boot: {message.Text}");
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new LetheException($"the machine was not ready within {timeout.TotalSeconds:0} s");
        }
        await vm.WaitForExitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        throw new LetheException("QEMU stopped before the machine was ready" + vm.StderrSuffix());
    }

    public static string TimelineText(ControlMessage ready) =>
        "boot " + string.Join(", ", (ready.Timeline ?? []).Select(p => $"{p.Name} {p.AtMs} ms"));

    /// <summary>Asks the guest to power off, then kills QEMU if it has not stopped in time.</summary>
    public static async Task PowerOffAsync(VirtualMachine vm, TimeSpan grace)
    {
        try
        {
            await vm.Channel.SendAsync(ControlMessage.PowerOff()).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        if (!await vm.WaitForExitAsync(grace).ConfigureAwait(false))
            vm.Kill();
    }
}

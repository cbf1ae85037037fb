using Lethe.Core;
using Lethe.Machine.Network;
using Lethe.Machine.Qemu;
using Lethe.Machine.Scratch;
using Lethe.Machine.Seed;
using Lethe.Machine.Warm;
using System.Runtime.InteropServices;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Run;

/// <summary>
/// Boots a machine: starts QEMU unprivileged on the image's own cached initramfs, sends the guest its seed
/// over the control channel, waits for its "ready".
/// </summary>
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
        var launch = ScratchFault.Apply(LaunchFor(boot, run) with { ScratchDisk = scratch?.Path }, Environment.GetEnvironmentVariable(ScratchFault.Variable));
        return boot.Warm
            ? await WarmBoot.StartAsync(paths, boot, run, launch, account, diagnostics, stop).ConfigureAwait(false)
            : await BootAsync(boot, run, launch, account, diagnostics, stop).ConfigureAwait(false);
    }

    /// <summary>A cold boot: the seed goes as soon as QEMU runs.</summary>
    internal static async Task<(VirtualMachine Vm, ControlMessage Ready)> BootAsync(BootRequest boot, RunDirectory run, QemuLaunch launch, VmmAccount? account,
        TextWriter diagnostics, CancellationToken stop)
    {
        var (vm, _, seed) = await LaunchAsync(boot, run, launch, account, incoming: null, withQmp: false, diagnostics).ConfigureAwait(false);
        try
        {
            return (vm, await WaitForReadyAsync(vm, seed, boot.ReadyTimeout, stop).ConfigureAwait(false));
        }
        catch
        {
            await vm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static async Task<(VirtualMachine Vm, QmpClient? Qmp, GuestSeed Seed)> LaunchAsync(BootRequest boot, RunDirectory run, QemuLaunch launch, VmmAccount? account,
        SafeHandle? incoming, bool withQmp, TextWriter diagnostics)
    {
        // The gateway starts before QEMU (QEMU inherits its socket) and goes with QEMU's VirtualMachine.
        MachineNetwork? network;
        try
        {
            network = boot.Network is null && boot.Spec.Network.Mode == NetworkMode.Gateway
                ? MachineNetwork.Start(boot.Spec.Network, workstation: boot.PersistDisk is not null, boot.NetworkLog ?? run.NetworkLog, diagnostics)
                : null;
        }
        catch
        {
            incoming?.Dispose();
            throw;
        }
        var (qmp, qemuEnd) = withQmp ? QmpClient.Create() : (null, null);
        VirtualMachine vm;
        GuestSeed seed;
        try
        {
            if (network is not null)
            {
                boot = boot with { Network = network.Boot };
                launch = launch with { Network = network.Boot.Backend };
            }
            seed = WriteSeed(boot, run);
            vm = await VirtualMachine.StartAsync(launch, account, gatewaySocket: boot.Network?.GatewaySocket, qmpSocket: qemuEnd, incoming: incoming).ConfigureAwait(false);
        }
        catch
        {
            if (network is not null)
                await network.DisposeAsync().ConfigureAwait(false);
            if (qmp is not null)
                await qmp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (network is not null)
            vm.Own(network);
        if (qmp is not null)
            vm.Own(qmp);
        run.WriteOwner(vm.Pid);
        return (vm, qmp, seed);
    }

    private static GuestSeed WriteSeed(BootRequest boot, RunDirectory run)
    {
        var seed = SeedBuilder.For(boot);
        // A readable copy of what the guest was told, for lethe verify's check that no key material is in it.
        using var seedFile = new FileStream(run.Seed, new FileStreamOptions
            { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        seedFile.Write(ProtocolJson.Serialize(seed));
        return seed;
    }

    /// <summary>The seed message: sent at once after QEMU starts (QEMU holds it until the guest opens its port).</summary>
    public static ControlMessage SeedMessageFor(GuestSeed seed) =>
        SeedMessages.For(seed, System.Security.Cryptography.RandomNumberGenerator.GetBytes(SeedMessages.EntropyBytes), DateTimeOffset.UtcNow);

    public static QemuLaunch LaunchFor(BootRequest boot, RunDirectory run) => new()
    {
        Accelerator = boot.Accel.Accelerator,
        MemoryMiB = boot.MemoryMiB,
        Cpus = boot.Cpus,
        Kernel = boot.Image.KernelPath,
        Initramfs = boot.Image.InitramfsPath,
        RootImage = boot.Image.RootfsPath,
        ConsoleLog = run.ConsoleLog,
        Debug = boot.Debug,
        GuestTscKhz = boot.Accel.Accelerator == Accel.Accelerator.Tcg ? HostClock.ReadTscKhz() : null,
        PersistDisk = boot.PersistDisk,
        Workspace = boot.Shares ? new SharedFolderLaunch(boot.Workspace!.HostPath!, ReadOnly: boot.Workspace.Mode == WorkspaceMode.Overlay) : null,
        Network = boot.Network?.Backend ?? QemuNetwork.None,
        Usb = boot.Spec.Usb,
    };

    internal static async Task<ControlMessage> WaitForReadyAsync(VirtualMachine vm, GuestSeed seed, TimeSpan timeout, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(timeout);
        // Not awaited first: a seed larger than the pipe's buffer waits until the guest opens its port.
        var sending = SendSeedAsync(vm, seed, deadline.Token);
        if (sending.IsFaulted)
            await sending.ConfigureAwait(false);
        var message = await WaitForAsync(vm, MessageTypes.Ready, timeout, deadline.Token, stop).ConfigureAwait(false);
        await sending.ConfigureAwait(false);
        return message;
    }

    /// <summary>The guest's first message of <paramref name="type"/>; an error message, QEMU's exit or the deadline throws.</summary>
    internal static async Task<ControlMessage> WaitForAsync(VirtualMachine vm, string type, TimeSpan timeout, CancellationToken deadline, CancellationToken stop)
    {
        try
        {
            while (await vm.Channel.ReceiveAsync(deadline).ConfigureAwait(false) is { } message)
            {
                if (message.Type == type)
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

    private static async Task SendSeedAsync(VirtualMachine vm, GuestSeed seed, CancellationToken stop)
    {
        try
        {
            await vm.Channel.SendAsync(SeedMessageFor(seed), stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // QEMU went (or the boot timed out): the wait for "ready" reports that.
        }
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

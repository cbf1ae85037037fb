using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Machine.Seed;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// lethe run: boot a fresh machine, run one command in it with its streams relayed, power it off, and
/// return the command's exit status. Ctrl-C or SIGTERM (the cancellation token) powers the machine off.
/// </summary>
public sealed class RunSession(LethePaths paths)
{
    public const int InterruptedExitCode = 130;
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync(BootRequest boot, ExecRequest exec, RunStreams streams, CancellationToken stop)
    {
        RunDirectory.CleanStale(paths.Runs);
        using var run = RunDirectory.Create(paths.Runs, boot.Spec.Name);
        SeedArchive.WriteRunInitramfs(boot.Image.InitramfsPath, SeedBuilder.For(boot.Spec, boot.MemoryMiB, boot.Debug), run.Initramfs);
        if (boot.Debug)
            streams.Diagnostics.WriteLine($"lethe: console log: {run.ConsoleLog} (kept as {run.KeepLog(paths.Logs)})");

        var account = VmmAccount.ForCurrentUser(boot.Accel.Accelerator == Accel.Accelerator.Kvm ? await KvmGroupAsync().ConfigureAwait(false) : null);
        await using var vm = await VirtualMachine.StartAsync(LaunchFor(boot, run), account).ConfigureAwait(false);
        run.WriteOwner(vm.Pid);
        try
        {
            var ready = await WaitForReadyAsync(vm, boot.ReadyTimeout, stop).ConfigureAwait(false);
            if (boot.Debug && ready.Timeline is { } timeline)
                streams.Diagnostics.WriteLine("lethe: boot " + string.Join(", ", timeline.Select(p => $"{p.Name} {p.AtMs} ms")));

            await vm.Channel.SendAsync(ControlMessage.Run(exec), stop).ConfigureAwait(false);
            _ = Task.Run(() => PumpStdinAsync(vm.Channel, streams.Stdin, stop), CancellationToken.None);
            var code = await RelayUntilExitAsync(vm, streams, stop).ConfigureAwait(false);
            await PowerOffAsync(vm).ConfigureAwait(false);
            return code;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await PowerOffAsync(vm).ConfigureAwait(false);
            return InterruptedExitCode;
        }
        catch (LetheException)
        {
            streams.Diagnostics.WriteLine($"lethe: the machine's console log is kept in {run.KeepLog(paths.Logs)}");
            throw;
        }
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
    };

    private static async Task<int?> KvmGroupAsync()
    {
        var output = await new HostCommand("stat").WithArguments("-c", "%g", "/dev/kvm").RunAsync().ConfigureAwait(false);
        return int.TryParse(output.Trim(), out var gid) && gid != 0 ? gid : null;
    }

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
        throw new LetheException("QEMU stopped before the machine was ready" + StderrSuffix(vm));
    }

    private static async Task<int> RelayUntilExitAsync(VirtualMachine vm, RunStreams streams, CancellationToken stop)
    {
        while (await vm.Channel.ReceiveAsync(stop).ConfigureAwait(false) is { } message)
        {
            switch (message.Type)
            {
                case MessageTypes.Stdout:
                    await WriteAsync(streams.Stdout, message.DataBytes(), stop).ConfigureAwait(false);
                    break;
                case MessageTypes.Stderr:
                    await WriteAsync(streams.Stderr, message.DataBytes(), stop).ConfigureAwait(false);
                    break;
                case MessageTypes.Error:
                    streams.Diagnostics.WriteLine($"lethe: guest: {message.Text}");
                    break;
                case MessageTypes.Exit:
                    return message.Code ?? 1;
            }
        }
        throw new LetheException("the machine stopped before the command finished" + StderrSuffix(vm));
    }

    private static async Task WriteAsync(Stream stream, byte[] data, CancellationToken stop)
    {
        await stream.WriteAsync(data, stop).ConfigureAwait(false);
        await stream.FlushAsync(stop).ConfigureAwait(false);
    }

    private static async Task PumpStdinAsync(ControlChannel channel, Stream stdin, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stdin.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
                await channel.SendAsync(ControlMessage.Input(buffer.AsSpan(0, read)), stop).ConfigureAwait(false);
            await channel.SendAsync(ControlMessage.InputClosed(), stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task PowerOffAsync(VirtualMachine vm)
    {
        try
        {
            await vm.Channel.SendAsync(ControlMessage.PowerOff()).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        if (!await vm.WaitForExitAsync(PowerOffGrace).ConfigureAwait(false))
            vm.Kill();
    }

    private static string StderrSuffix(VirtualMachine vm) =>
        vm.StderrText is { Length: > 0 } text ? ": " + text.Split('\n')[^1] : "";
}

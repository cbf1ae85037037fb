using System.IO.Pipes;
using System.Runtime.InteropServices;
using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// A running QEMU, started by the host's one process runner (<see cref="HostCommand.StartAsync"/>)
/// through lethe-init confine and setpriv (see <see cref="VmmCommandLine"/>), with an empty
/// environment. setpriv's parent-death signal means QEMU cannot outlive lethe, even after kill -9.
/// QEMU's -runas is not used: it needs the seccomp sandbox to allow set*uid, and it clears the
/// parent-death signal. Its console arrives on a pipe that lethe copies into the log, up to a cap.
/// </summary>
public sealed class VirtualMachine : IAsyncDisposable
{
    private readonly HostProcess _qemu;
    private readonly Task _consoleCopy;

    private VirtualMachine(HostProcess qemu, Task consoleCopy)
    {
        _qemu = qemu;
        _consoleCopy = consoleCopy;
        Channel = new ControlChannel(qemu.StandardOutput, qemu.StandardInput);
    }

    public ControlChannel Channel { get; }
    public int Pid => _qemu.Pid;

    /// <summary>The boot's network (policy, gateway, forwards), which goes when this QEMU goes; null: none, or QEMU's own.</summary>
    public Network.MachineNetwork? Network { get; private set; }

    internal void Own(Network.MachineNetwork network) => Network = network;

    /// <summary>lethe's end of QEMU's monitor, for a warm boot (snapshot or restore); null: QEMU has no monitor.</summary>
    internal Warm.QmpClient? Qmp { get; private set; }

    internal void Own(Warm.QmpClient qmp) => Qmp = qmp;
    public string StderrText => _qemu.StderrTail.Trim();

    /// <param name="gatewaySocket">
    /// For <see cref="QemuNetwork.Gateway"/>: QEMU's end of the gateway's socketpair. QEMU inherits it, and
    /// lethe's copy is closed here (also on failure), so that the gateway sees the end when QEMU goes.
    /// </param>
    public static async Task<VirtualMachine> StartAsync(QemuLaunch launch, VmmAccount? account, long consoleCapBytes = ConsoleLog.DefaultCapBytes,
        SafeHandle? gatewaySocket = null, SafeHandle? qmpSocket = null, SafeHandle? incoming = null)
    {
        if (gatewaySocket is not null && launch.Network != QemuNetwork.Gateway)
        {
            gatewaySocket.Dispose();
            throw new ArgumentException("a gateway socket was given for a launch without the gateway network", nameof(gatewaySocket));
        }
        FileStream log;
        try
        {
            log = ConsoleLog.CreateExclusive(launch.ConsoleLog);
        }
        catch
        {
            gatewaySocket?.Dispose();
            qmpSocket?.Dispose();
            incoming?.Dispose();
            throw;
        }
        var console = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
        var handles = new List<SafeHandle>();
        if (gatewaySocket is not null)
            handles.Add(gatewaySocket);
        // QEMU's end of the monitor's socketpair and a warm snapshot to restore: inherited, then closed here like the gateway's.
        if (qmpSocket is not null)
            handles.Add(qmpSocket);
        if (incoming is not null)
            handles.Add(incoming);
        try
        {
            SafeHandle Pass(SafeHandle handle)
            {
                handles.Add(handle);
                return handle;
            }
            int Fd(SafeHandle handle) => (int)handle.DangerousGetHandle();
            var tools = VmmFiles.LocateTools(launch.Binary);
            var fds = new VmmFds(
                Kernel: Fd(Pass(VmmFiles.Open(launch.Kernel, writable: false))),
                Initramfs: Fd(Pass(VmmFiles.Open(launch.Initramfs, writable: false))),
                Root: Fd(Pass(VmmFiles.Open(launch.RootImage, writable: false))),
                Console: Fd(Pass(console.ClientSafePipeHandle)),
                Persist: launch.PersistDisk is { } persist ? [Fd(Pass(VmmFiles.Open(persist, writable: true))), Fd(Pass(VmmFiles.Open(persist, writable: false)))] : null,
                Scratch: launch.ScratchDisk is { } scratch
                    ? launch.ScratchReadOnly
                        ? [Fd(Pass(VmmFiles.Open(scratch, writable: false)))]
                        : [Fd(Pass(VmmFiles.Open(scratch, writable: true))), Fd(Pass(VmmFiles.Open(scratch, writable: false)))]
                    : null,
                Network: launch.Network == QemuNetwork.Gateway
                    ? Fd(gatewaySocket ?? throw new ArgumentException("the gateway network needs its socket", nameof(gatewaySocket)))
                    : null,
                Qmp: qmpSocket is null ? null : Fd(qmpSocket),
                Incoming: incoming is null ? null : Fd(incoming));
            var argv = VmmCommandLine.Argv(launch, account, tools, fds);
            var qemu = await new HostCommand(argv[0]).WithArguments(argv.Skip(1)).WithExactEnvironment(new Dictionary<string, string>())
                .StartAsync(handles).ConfigureAwait(false);
            console.DisposeLocalCopyOfClientHandle();
            var copy = Task.Run(async () =>
            {
                await using (log.ConfigureAwait(false))
                await using (console.ConfigureAwait(false))
                    await ConsoleLog.CopyAsync(console, log, consoleCapBytes).ConfigureAwait(false);
            });
            return new VirtualMachine(qemu, copy);
        }
        catch
        {
            await log.DisposeAsync().ConfigureAwait(false);
            await console.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            foreach (var handle in handles.Where(h => h != console.ClientSafePipeHandle))
                handle.Dispose();
        }
    }

    /// <summary>": " and QEMU's last stderr line, for an error message; empty when QEMU said nothing.</summary>
    public string StderrSuffix() => StderrText is { Length: > 0 } text ? ": " + text.Split('\n')[^1] : "";

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _qemu.WaitForExitAsync(timeout);

    public void Kill() => _qemu.Kill();

    public async ValueTask DisposeAsync()
    {
        await _qemu.DisposeAsync().ConfigureAwait(false);
        // QEMU's end of the pipe is closed now: the copy sees the end of the stream and closes the log.
        await Task.WhenAny(_consoleCopy, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        if (Network is not null)
            await Network.DisposeAsync().ConfigureAwait(false);
        if (Qmp is not null)
            await Qmp.DisposeAsync().ConfigureAwait(false);
        Channel.Dispose();
    }
}

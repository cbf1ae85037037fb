using System.Diagnostics;
using System.Text;
using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// A running QEMU. It is started through setpriv with a parent-death signal, so it cannot outlive
/// lethe, even after kill -9; as root, setpriv also drops it to an unprivileged account before QEMU
/// starts. QEMU's -runas is not used: it needs the seccomp sandbox to allow set*uid, and it clears the
/// parent-death signal.
/// </summary>
public sealed class VirtualMachine : IAsyncDisposable
{
    private readonly Process _qemu;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private VirtualMachine(Process qemu)
    {
        _qemu = qemu;
        Channel = new ControlChannel(qemu.StandardOutput.BaseStream, qemu.StandardInput.BaseStream);
        _stderrPump = Task.Run(async () =>
        {
            while (await qemu.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                lock (_stderr)
                    _stderr.AppendLine(line);
        });
    }

    public ControlChannel Channel { get; }
    public int Pid => _qemu.Id;

    public string StderrText
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString().Trim();
        }
    }

    /// <summary>Opens QEMU's inputs as fds 3–6 (so an unprivileged QEMU can read root-owned files), then
    /// execs setpriv, which execs QEMU. Pure: the whole argv of the launch.</summary>
    public static IReadOnlyList<string> LaunchArguments(QemuLaunch launch, VmmAccount? account)
    {
        var throughFds = launch with
        {
            Kernel = "/dev/fd/3",
            Initramfs = "/dev/fd/4",
            RootImage = "/dev/fd/5",
            ConsoleLog = "/dev/fd/6",
            PersistDisk = launch.PersistDisk is null ? null : "/dev/fd/7",
            ScratchDisk = launch.ScratchDisk is null ? null : "/dev/fd/8",
        };
        return
        [
            "-c", """exec 3<"$1" 4<"$2" 5<"$3" 6>>"$4" && if [ -n "$5" ]; then exec 7<>"$5"; fi && if [ -n "$6" ]; then exec 8<>"$6"; fi && shift 6 && exec "$@" """, "lethe-vmm",
            launch.Kernel, launch.Initramfs, launch.RootImage, launch.ConsoleLog, launch.PersistDisk ?? "", launch.ScratchDisk ?? "",
            "setpriv", "--pdeathsig", "KILL", "--no-new-privs", .. account?.SetprivArguments() ?? [], "--",
            launch.Binary, .. QemuArguments.Build(throughFds),
        ];
    }

    public static async Task<VirtualMachine> StartAsync(QemuLaunch launch, VmmAccount? account)
    {
        if (account is not null)
        {
            // QEMU reopens the log through /dev/fd, which checks the file's own mode; the run folder
            // around it stays private (0700), so no one else can reach it by path.
            File.AppendAllText(launch.ConsoleLog, "");
            File.SetUnixFileMode(launch.ConsoleLog, (UnixFileMode)0b110_110_110);
        }
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in LaunchArguments(launch, account))
            info.ArgumentList.Add(a);
        try
        {
            return new VirtualMachine(await ProcessLauncher.StartAsync(info).ConfigureAwait(false));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostException($"cannot start QEMU: {e.Message}", e);
        }
    }

    /// <summary>": " and QEMU's last stderr line, for an error message; empty when QEMU said nothing.</summary>
    public string StderrSuffix() => StderrText is { Length: > 0 } text ? ": " + text.Split('\n')[^1] : "";

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _qemu.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Kill()
    {
        try
        {
            if (!_qemu.HasExited)
                _qemu.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Task.WhenAny(_stderrPump, Task.Delay(1000)).ConfigureAwait(false);
        Channel.Dispose();
        _qemu.Dispose();
    }
}

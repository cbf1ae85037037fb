using System.Net.Sockets;
using Lethe.Core;
using Lethe.Machine.Generations;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Log;
using Lethe.Machine.Run;
using Lethe.Machine.Scratch;
using Lethe.Machine.Ssh;
using Lethe.Protocol;

namespace Lethe.Machine.Workstation;

/// <summary>
/// The process behind a long-lived machine (lethe up). It holds the machine's lock, owns QEMU (which
/// dies with it), and serves clients on a private Unix socket: exec sessions, reboot and power-off.
/// Every reboot is a new QEMU process, so no RAM state can carry over.
/// </summary>
public sealed class Supervisor(LethePaths paths, MachineFolder folder, GenerationBoots boots, TextWriter supervisorLog)
{
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(30);
    // Written from the guest reader and every client's task at once, so synchronized; the router drops into it too.
    private readonly SessionRouter _sessions = new(TextWriter.Synchronized(supervisorLog));
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private VirtualMachine? _vm;
    private RunDirectory? _run;
    private BootRequest? _boot;
    private DateTimeOffset? _bootedAt;
    private IReadOnlyList<string> _warnings = [];
    private string? _timeline;
    private int? _generation;

    private readonly Lock _statusLock = new();

    private TextWriter Log => _sessions.Log;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var machineLock = folder.TryLock();
        if (machineLock is null)
        {
            Log.WriteLine($"lethe: machine {folder.Name} is already running");
            return ExitCodes.Failure;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _stopping.Token);
        File.Delete(folder.Socket);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await BootAsync(MachineStates.Booting, linked.Token).ConfigureAwait(false);
            listener.Bind(new UnixDomainSocketEndPoint(folder.Socket));
            File.SetUnixFileMode(folder.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
            WriteStatus(MachineStates.Running);
            while (!linked.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(linked.Token).ConfigureAwait(false);
                _ = Task.Run(() => ServeClientAsync(client, linked.Token), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (LetheException e)
        {
            Log.WriteLine($"lethe: {e.Message}");
            WriteStatus(MachineStates.Failed, e.Message);
            await ShutDownAsync(e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        await ShutDownAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Boots the generation <see cref="GenerationBoots.Next"/> picks. One that never booted and does not reach ready
    /// is marked bad, and the newest good one boots instead, saying so.
    /// </summary>
    private async Task BootAsync(string state, CancellationToken stop)
    {
        var boot = boots.Next();
        if (boot.Note is { } note)
            Log.WriteLine($"lethe: {note}");
        VirtualMachine vm;
        ControlMessage ready;
        try
        {
            (vm, ready) = await StartGenerationAsync(boot, state, stop).ConfigureAwait(false);
        }
        catch (LetheException e) when (!stop.IsCancellationRequested && boots.FallbackAfter(boot.Generation, e.Message) is { } fallback)
        {
            Log.WriteLine($"lethe: {fallback.Note}");
            await StopMachineAsync().ConfigureAwait(false);
            boot = fallback;
            (vm, ready) = await StartGenerationAsync(boot, state, stop).ConfigureAwait(false);
        }
        boots.Reached(boot.Generation);
        _generation = boot.Generation.Number;
        _vm = vm;
        _bootedAt = DateTimeOffset.UtcNow;
        _timeline = MachineBoot.TimelineText(ready);
        _warnings = ready.Warnings ?? [];
        // A changed host key of a machine that keeps its identity throws: the caller powers the machine off.
        if (_boot is { SshKeys: not null } && SshBoot.PinHostKey(folder, ready.HostKey, _boot.Spec.Identity == Spec.IdentityMode.Keep) is { } sshWarning)
            _warnings = [.. _warnings, sshWarning];
        Log.WriteLine($"lethe: {folder.Name} ready (generation {_generation}): {_timeline}");
        foreach (var warning in _warnings)
            Log.WriteLine($"lethe: warning: {warning}");
        _sessions.Listening = ListeningReports.For(vm.Network?.Boot, Log);
        if (vm.Network is { } network)
            network.ForwardsChanged += () =>
            {
                if (_vm == vm)
                    WriteStatus(MachineStates.Running);
            };
        _ = Task.Run(() => RouteGuestMessagesAsync(vm), CancellationToken.None);
    }

    private async Task<(VirtualMachine, ControlMessage)> StartGenerationAsync(GenerationBoot boot, string state, CancellationToken stop)
    {
        _boot = boot.Request with { NetworkLog = DecisionLogFile.PathFor(folder) };
        WriteStatus(state);
        RunDirectory.CleanStale(paths.Runs);
        _run = RunDirectory.Create(paths.Runs, folder.Name);
        _run.KeepLogAs(folder.ConsoleLog);
        try
        {
            return await MachineBoot.StartAsync(paths, _boot, _run, Log, stop).ConfigureAwait(false);
        }
        catch (ControlChannelException e)
        {
            throw new LetheException($"the guest broke the control channel while booting: {e.Message}", inner: e);
        }
    }

    /// <summary>The one reader of the guest channel: hands each message to its session's client.</summary>
    private async Task RouteGuestMessagesAsync(VirtualMachine vm)
    {
        var broken = false;
        try
        {
            broken = !await _sessions.RouteAllAsync(vm.Channel).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.WriteLine($"lethe: reading the guest's channel failed: {e.Message}");
        }
        // The guest went away, or can no longer be listened to. Unless we are rebooting or stopping it, stop.
        if (_vm == vm && _lifecycle.CurrentCount == 1)
        {
            if (!broken)
                Log.WriteLine("lethe: the machine stopped by itself");
            _stopping.Cancel();
        }
    }

    private async Task ServeClientAsync(Socket socket, CancellationToken stop)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        using var client = new ControlChannel(stream, stream);
        try
        {
            var first = await client.ReceiveAsync(stop).ConfigureAwait(false);
            switch (first?.Type)
            {
                case MessageTypes.Exec when first.Exec is not null:
                    var vm = _vm ?? throw new IOException("the machine is rebooting or stopping");
                    await _sessions.RelayClientAsync(client, first.Exec, vm.Channel, stop).ConfigureAwait(false);
                    break;
                case MessageTypes.Reboot:
                    await RebootAsync(client, stop).ConfigureAwait(false);
                    break;
                case MessageTypes.NetAllow or MessageTypes.NetDeny:
                    await client.SendAsync(PolicyControl.Apply(_vm?.Network?.Policy, first, folder.Name), stop).ConfigureAwait(false);
                    break;
                case MessageTypes.PowerOff:
                    await client.SendAsync(ControlMessage.LogLine("powering off"), stop).ConfigureAwait(false);
                    _stopping.Cancel();
                    break;
            }
        }
        catch (ControlChannelException e)
        {
            Log.WriteLine($"lethe: a client broke the control channel: {e.Message}; its session ended");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (!stop.IsCancellationRequested)
                Log.WriteLine($"lethe: a client session ended early: {e.Message}");
        }
        catch (Exception e)
        {
            Log.WriteLine($"lethe: a client session failed: {e}");
        }
    }

    private async Task RebootAsync(ControlChannel client, CancellationToken stop)
    {
        await _lifecycle.WaitAsync(stop).ConfigureAwait(false);
        try
        {
            WriteStatus(MachineStates.Rebooting);
            await StopMachineAsync().ConfigureAwait(false);
            await BootAsync(MachineStates.Rebooting, stop).ConfigureAwait(false);
            WriteStatus(MachineStates.Running);
            await client.SendAsync(new ControlMessage { Type = MessageTypes.Ready, Text = _timeline }, stop).ConfigureAwait(false);
        }
        catch (LetheException e)
        {
            await client.SendAsync(ControlMessage.Failure(e.Message), stop).ConfigureAwait(false);
            _stopping.Cancel();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StopMachineAsync()
    {
        var vm = _vm;
        _vm = null;
        _sessions.Listening?.Close();
        await _sessions.EndAllAsync(RunSession.InterruptedExitCode).ConfigureAwait(false);
        if (vm is not null)
        {
            await MachineBoot.PowerOffAsync(vm, PowerOffGrace).ConfigureAwait(false);
            await vm.DisposeAsync().ConfigureAwait(false);
        }
        _run?.Dispose();
        _run = null;
    }

    /// <param name="failure">Why the machine failed to start: its status stays "failed" with it, so that the
    /// waiting lethe up reads the reason (the next start clears it).</param>
    private async Task ShutDownAsync(string? failure = null)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        if (failure is null)
            WriteStatus(MachineStates.Stopping);
        await StopMachineAsync().ConfigureAwait(false);
        File.Delete(folder.Socket);
        if (failure is null)
            File.Delete(folder.StatusFile);
        Log.WriteLine($"lethe: {folder.Name} stopped");
    }

    private void WriteStatus(string state, string? error = null)
    {
        // The guest's channel reader writes it too (a forward came or went): one writer at a time.
        lock (_statusLock)
            folder.WriteStatus(Status(state, error));
    }

    private MachineStatus Status(string state, string? error) => new()
    {
        Name = folder.Name,
        State = state,
        SupervisorPid = Environment.ProcessId,
        QemuPid = _vm?.Pid,
        BootedAt = _bootedAt,
        ImageDigest = _boot?.Image.Digest,
        PersistDisk = _boot?.PersistDisk,
        ConsoleLog = _run?.ConsoleLog,
        Scratch = _boot?.Scratch is null ? null : _warnings.FirstOrDefault(w => w.Contains("scratch", StringComparison.Ordinal)) is { } failed
            ? $"tmpfs ({failed})"
            : _run is null ? null : ScratchPolicy.FileFor(paths.Scratch, _run.Name),
        Warnings = _warnings,
        SpecPath = _boot?.Spec.SourcePath,
        Allowlist = _boot is null ? [] : _boot.Spec.Persist.Paths.Select(p => p.GuestPath($"/home/{_boot.Spec.User.Name}")).ToList(),
        Timeline = _timeline,
        Generation = _generation,
        Ports = _vm?.Network?.Forwards.Select(f => $"127.0.0.1:{f.HostPort}->{f.GuestPort}").ToList() ?? [],
        Error = error,
    };
}

using System.Net.Sockets;
using Lethe.Core;
using Lethe.Machine.Agents;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Machine.Workstation;

/// <summary>Talks to a running machine's supervisor over its Unix socket.</summary>
public static class MachineClient
{
    public static async Task<int> ExecAsync(MachineFolder folder, ExecRequest exec, RunStreams streams, CancellationToken stop, TerminalResizes? resizes = null,
        HostAgents? agents = null)
    {
        var (stream, channel) = await ConnectAsync(folder, stop).ConfigureAwait(false);
        await using (stream)
        using (channel)
        {
            try
            {
                return await CommandRelay.RunAsync(channel, SessionMessages.ClientSession, exec, streams, stop, resizes, agents: agents).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return RunSession.InterruptedExitCode;
            }
            catch (IOException e)
            {
                throw new LetheException($"lost the connection to machine {folder.Name}: {e.Message} (see lethe logs {folder.Name})", inner: e);
            }
        }
    }

    /// <summary>Runs a command as root and returns its stdout; lethe's own checks use it (verify, persist).</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> CaptureAsync(MachineFolder folder, IReadOnlyList<string> argv, CancellationToken stop, string? stdin = null)
    {
        using var output = new MemoryStream();
        using var errors = new MemoryStream();
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stdin ?? ""));
        var exec = new ExecRequest { Argv = argv, AsRoot = true };
        var code = await ExecAsync(folder, exec, new RunStreams(input, output, errors, TextWriter.Null), stop).ConfigureAwait(false);
        return (code, System.Text.Encoding.UTF8.GetString(output.ToArray()), System.Text.Encoding.UTF8.GetString(errors.ToArray()));
    }

    public static async Task<string?> RebootAsync(MachineFolder folder, CancellationToken stop)
    {
        var (stream, channel) = await ConnectAsync(folder, stop).ConfigureAwait(false);
        await using (stream)
        using (channel)
        {
            await channel.SendAsync(ControlMessage.Restart(), stop).ConfigureAwait(false);
            var reply = await channel.ReceiveAsync(stop).ConfigureAwait(false);
            return reply?.Type switch
            {
                MessageTypes.Ready => reply.Text,
                MessageTypes.Error => throw new LetheException($"reboot of {folder.Name} failed: {reply.Text}"),
                _ => throw new LetheException($"machine {folder.Name} stopped during the reboot"),
            };
        }
    }

    public static async Task PowerOffAsync(MachineFolder folder, CancellationToken stop)
    {
        var (stream, channel) = await ConnectAsync(folder, stop).ConfigureAwait(false);
        await using (stream)
        using (channel)
        {
            await channel.SendAsync(ControlMessage.PowerOff(), stop).ConfigureAwait(false);
            await channel.ReceiveAsync(stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks the supervisor to power the machine off and waits until it has stopped (its lock is free).
    /// Past the timeout the supervisor is killed, and QEMU dies with it (parent-death signal).
    /// Returns false when it had to kill.
    /// </summary>
    public static async Task<bool> StopAsync(MachineFolder folder, TimeSpan timeout, CancellationToken stop)
    {
        var supervisor = folder.ReadStatus()?.SupervisorPid;
        try
        {
            await PowerOffAsync(folder, stop).ConfigureAwait(false);
        }
        catch (LetheException)
        {
            // No answer on the socket: the kill below still stops it.
        }
        var deadline = DateTime.UtcNow + timeout;
        while (folder.IsRunning() && DateTime.UtcNow < deadline)
            await Task.Delay(100, stop).ConfigureAwait(false);
        if (!folder.IsRunning() || supervisor is not { } pid)
            return true;
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        return false;
    }

    internal static async Task<(NetworkStream, ControlChannel)> ConnectAsync(MachineFolder folder, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(folder.Socket), stop).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            socket.Dispose();
            throw new LetheException($"machine {folder.Name} is not running (start it with: lethe up {folder.Name})");
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        return (stream, new ControlChannel(stream, stream));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Session;

/// <summary>
/// Serves the control channel: runs each requested command (several may run at once, told apart by
/// their session number), relays stdin, stdout and stderr as messages and reports each exit status,
/// until the host asks for power-off or goes away.
/// </summary>
internal sealed class CommandSession(ControlChannel channel, GuestSeed seed)
{
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentDictionary<int, Process> _running = new();
    private readonly ConcurrentDictionary<int, bool> _terminals = new();
    private readonly ConcurrentDictionary<int, SessionAgents> _agents = new();
    private readonly ConcurrentDictionary<int, Queue<ControlMessage>> _pending = new();
    private const int MaxPostponed = 1024;

    /// <summary>Returns when the host asks for power-off, closes the channel or breaks the protocol.</summary>
    public async Task ServeAsync()
    {
        using var served = new CancellationTokenSource();
        var watch = seed.Network is { ReportListening: true }
            ? Task.Run(() => ListenerWatch.RunAsync(channel, served.Token), CancellationToken.None)
            : Task.CompletedTask;
        try
        {
            await ServeMessagesAsync().ConfigureAwait(false);
        }
        catch (ControlChannelException e)
        {
            Console.Error.WriteLine($"lethe-init: the host broke the control channel: {e.Message}; powering off");
        }
        finally
        {
            await served.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    private async Task ServeMessagesAsync()
    {
        while (await channel.ReceiveAsync().ConfigureAwait(false) is { } message)
        {
            var session = message.Session;
            switch (message.Type)
            {
                case MessageTypes.Exec when message.Exec is { } exec && ImportsGpgKeys(exec):
                    // The import may talk to the forwarded agent, whose answers come through this loop: so it runs
                    // apart, and what arrives for the session meanwhile waits for its command in order.
                    _pending[session] = new Queue<ControlMessage>();
                    _ = Task.Run(() => StartApartAsync(session, exec));
                    break;
                case MessageTypes.Exec when message.Exec is { } exec:
                    // Started here, not on another task, so that input that follows at once finds it.
                    if (await StartAsync(session, exec).ConfigureAwait(false) is { } started)
                        _ = Task.Run(() => FinishAsync(session, started, exec.Tty));
                    break;
                case MessageTypes.Stdin or MessageTypes.StdinClosed or MessageTypes.Signal or MessageTypes.Resize:
                    if (!Postponed(session, message))
                        await HandleInputAsync(session, message).ConfigureAwait(false);
                    break;
                case MessageTypes.StreamData or MessageTypes.StreamClose when _agents.TryGetValue(session, out var agents):
                    await agents.HandleAsync(message).ConfigureAwait(false);
                    break;
                case MessageTypes.PowerOff:
                    return;
            }
        }
    }

    private async Task HandleInputAsync(int session, ControlMessage message)
    {
        switch (message.Type)
        {
            case MessageTypes.Stdin when _running.TryGetValue(session, out var process):
                await WriteInputAsync(process, message.DataBytes()).ConfigureAwait(false);
                break;
            case MessageTypes.StdinClosed when _running.TryGetValue(session, out var process):
                CloseInput(process);
                break;
            case MessageTypes.Signal when _running.TryGetValue(session, out var process) && message.Code is { } signal:
                Native.Libc.kill(process.Id, signal);
                break;
            case MessageTypes.Resize when _running.TryGetValue(session, out var process) && _terminals.ContainsKey(session)
                                          && message is { Rows: { } rows, Columns: { } columns }:
                SessionTerminal.Resize(process.Id, rows, columns);
                break;
        }
    }

    private static bool ImportsGpgKeys(ExecRequest exec) =>
        !exec.AsRoot && AgentKinds.Known(exec.Forwards).Contains(AgentKinds.GpgAgent) && exec.GpgPublicKeys is { Length: > 0 };

    /// <summary>Keeps a message for a session whose command is still being prepared; false when it is not.</summary>
    private bool Postponed(int session, ControlMessage message)
    {
        if (!_pending.TryGetValue(session, out var queue))
            return false;
        lock (queue)
        {
            if (!_pending.ContainsKey(session))
                return false;
            if (queue.Count < MaxPostponed)
                queue.Enqueue(message);
            return true;
        }
    }

    private async Task StartApartAsync(int session, ExecRequest exec)
    {
        var started = await StartAsync(session, exec).ConfigureAwait(false);
        var queue = _pending[session];
        while (true)
        {
            ControlMessage next;
            lock (queue)
            {
                if (!queue.TryDequeue(out next!))
                {
                    _pending.TryRemove(session, out _);
                    break;
                }
            }
            await HandleInputAsync(session, next).ConfigureAwait(false);
        }
        if (started is not null)
            await FinishAsync(session, started, exec.Tty).ConfigureAwait(false);
    }

    private async Task<Process?> StartAsync(int session, ExecRequest exec)
    {
        SessionAgents? agents = null;
        try
        {
            agents = await ForwardAgentsAsync(session, exec).ConfigureAwait(false);
            var process = Process.Start(UserCommand.StartInfo(exec, seed, agents?.Environment)) ?? throw new InvalidOperationException("no process");
            _running[session] = process;
            if (exec.Tty)
                _terminals[session] = true;
            return process;
        }
        catch (Exception e)
        {
            if (agents is not null && _agents.TryRemove(session, out _))
                agents.Dispose();
            await channel.SendAsync(ControlMessage.Failure($"cannot start {exec.Argv.FirstOrDefault()}: {(seed.Debug ? e.ToString() : e.Message)}").ForSession(session)).ConfigureAwait(false);
            await channel.SendAsync(ControlMessage.Exited(127).ForSession(session)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The session's agent sockets (and, for gpg, the host's public keys in the user's keyring); none for root commands.</summary>
    private async Task<SessionAgents?> ForwardAgentsAsync(int session, ExecRequest exec)
    {
        var kinds = AgentKinds.Known(exec.Forwards);
        if (kinds.Count == 0 || exec.AsRoot || _agents.ContainsKey(session))
            return null;
        var agents = SessionAgents.Start(channel, session, kinds, seed.User);
        _agents[session] = agents;
        if (ImportsGpgKeys(exec) && exec.GpgPublicKeys is { } keys
            && await GpgKeyImport.RunAsync(keys, seed).ConfigureAwait(false) is { } problem)
            await channel.SendAsync(ControlMessage.Failure($"the host's gpg public keys were not imported: {problem}").ForSession(session)).ConfigureAwait(false);
        return agents;
    }

    private async Task FinishAsync(int session, Process process, bool tty)
    {
        var pumps = new List<Task> { PumpAsync(session, process.StandardOutput.BaseStream, MessageTypes.Stdout) };
        if (!tty)
            pumps.Add(PumpAsync(session, process.StandardError.BaseStream, MessageTypes.Stderr));

        await process.WaitForExitAsync().ConfigureAwait(false);
        // Reaped: its pid may be reused from now on, so no signal or resize may reach it.
        _running.TryRemove(session, out _);
        _terminals.TryRemove(session, out _);
        if (_agents.TryRemove(session, out var agents))
            agents.Dispose();
        // A background child may hold the pipes open forever; take what is there and move on.
        await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(DrainAfterExit)).ConfigureAwait(false);
        await channel.SendAsync(ControlMessage.Exited(process.ExitCode).ForSession(session)).ConfigureAwait(false);
        process.Dispose();
    }

    private async Task PumpAsync(int session, Stream stream, string type)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                await channel.SendAsync(ControlMessage.Output(type, buffer.AsSpan(0, read)).ForSession(session)).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WriteInputAsync(Process process, byte[] data)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(data).ConfigureAwait(false);
            await process.StandardInput.BaseStream.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }
}

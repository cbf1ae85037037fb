using System.Net.Sockets;
using Lethe.Protocol;

namespace Lethe.Machine.Agents;

/// <summary>
/// The host end of one session's agent streams: each stream the guest opens becomes a connection to the
/// host agent of its kind (only kinds the session asked for, at most <see cref="StreamMessages.MaxStreams"/>
/// at once), and bytes and closes pass both ways. Every guest message is checked first
/// (<see cref="StreamBook"/>); one that does not fit is dropped and logged.
/// </summary>
public sealed class AgentRelay(ControlChannel channel, int session, HostAgents agents, TextWriter log) : IAsyncDisposable
{
    private const int MaxLoggedDrops = 20;
    private readonly StreamBook _book = new(agents.Kinds);
    private readonly Dictionary<int, Socket> _connections = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _closing = new();
    private int _loggedDrops;

    /// <summary>Acts on one stream message of this session from the guest.</summary>
    public async Task HandleAsync(ControlMessage message, CancellationToken stop)
    {
        StreamDecision decision;
        lock (_lock)
            decision = _book.Decide(message);
        var stream = message.Stream ?? 0;
        switch (decision.Action)
        {
            case StreamAction.Drop:
                Dropped(decision.Reason!);
                break;
            case StreamAction.Refuse:
                Dropped(decision.Reason!);
                await SendAsync(ControlMessage.StreamClosed(stream), stop).ConfigureAwait(false);
                break;
            case StreamAction.Open:
                await OpenAsync(stream, message.Kind!, stop).ConfigureAwait(false);
                break;
            case StreamAction.Deliver:
                await DeliverAsync(stream, message.DataBytes(), stop).ConfigureAwait(false);
                break;
            case StreamAction.Close:
                Socket? closed;
                lock (_lock)
                    _connections.Remove(stream, out closed);
                closed?.Dispose();
                break;
        }
    }

    private async Task OpenAsync(int stream, string kind, CancellationToken stop)
    {
        Socket socket;
        try
        {
            socket = await AgentSocket.ConnectAsync(agents.Sockets[kind], stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            log.WriteLine($"lethe: the host's {kind} does not answer: {e.Message}");
            lock (_lock)
                _book.Forget(stream);
            await SendAsync(ControlMessage.StreamClosed(stream), stop).ConfigureAwait(false);
            return;
        }
        lock (_lock)
            _connections[stream] = socket;
        _ = Task.Run(() => PumpAsync(stream, socket), CancellationToken.None);
    }

    private async Task DeliverAsync(int stream, byte[] data, CancellationToken stop)
    {
        Socket? socket;
        lock (_lock)
            _connections.TryGetValue(stream, out socket);
        if (socket is null)
            return;
        try
        {
            await socket.SendAsync(data, SocketFlags.None, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            await EndAsync(stream, socket).ConfigureAwait(false);
        }
    }

    /// <summary>The agent's answers, as stream data, until it or the guest closes the connection.</summary>
    private async Task PumpAsync(int stream, Socket socket)
    {
        var buffer = new byte[StreamMessages.MaxDataBytes];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _closing.Token).ConfigureAwait(false)) > 0)
                await SendAsync(ControlMessage.StreamBytes(stream, buffer.AsSpan(0, read)), _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
        await EndAsync(stream, socket).ConfigureAwait(false);
    }

    /// <summary>This side's end of a stream: the guest is told, unless it closed the stream first.</summary>
    private async Task EndAsync(int stream, Socket socket)
    {
        bool wasOpen;
        lock (_lock)
        {
            wasOpen = _connections.TryGetValue(stream, out var current) && current == socket && _connections.Remove(stream);
            if (wasOpen)
                _book.Forget(stream);
        }
        socket.Dispose();
        if (!wasOpen || _closing.IsCancellationRequested)
            return;
        try
        {
            await SendAsync(ControlMessage.StreamClosed(stream), _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
    }

    private Task SendAsync(ControlMessage message, CancellationToken stop) => channel.SendAsync(message.ForSession(session), stop);

    private void Dropped(string what)
    {
        var count = Interlocked.Increment(ref _loggedDrops);
        if (count <= MaxLoggedDrops)
            log.WriteLine($"lethe: dropped {UntrustedText.ForLine(what)}");
        if (count == MaxLoggedDrops)
            log.WriteLine("lethe: further dropped stream messages are not logged");
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        List<Socket> open;
        lock (_lock)
        {
            open = [.. _connections.Values];
            _connections.Clear();
        }
        foreach (var socket in open)
            socket.Dispose();
    }
}

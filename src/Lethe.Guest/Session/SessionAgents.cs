using System.Net.Sockets;
using Lethe.Protocol;

namespace Lethe.Guest.Session;

/// <summary>
/// The guest end of one session's forwarded agents: a listening socket per kind the session asked for,
/// owned by the user; each connection to it becomes a stream of the session, relayed over the control
/// channel to whoever serves the session on the host. At most <see cref="StreamMessages.MaxStreams"/>
/// connections at once; the sockets go when the session ends.
/// </summary>
internal sealed class SessionAgents : IDisposable
{
    private readonly ControlChannel _channel;
    private readonly int _session;
    private readonly List<(Socket Listener, string Kind)> _listeners = [];
    private readonly Dictionary<int, Socket> _streams = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _ending = new();
    private readonly List<string> _folders = [];
    private (int Folder, ulong Inode)? _gpgSocket;
    private int _nextStream;

    /// <summary>What the session's environment gains (SSH_AUTH_SOCK).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    private SessionAgents(ControlChannel channel, int session)
    {
        _channel = channel;
        _session = session;
    }

    /// <summary>Makes the sockets and starts accepting; on failure, nothing is left behind.</summary>
    public static SessionAgents Start(ControlChannel channel, int session, IReadOnlyList<string> kinds, GuestUser user)
    {
        var agents = new SessionAgents(channel, session);
        try
        {
            foreach (var kind in kinds)
                agents.Listen(kind, user);
        }
        catch
        {
            agents.Dispose();
            throw;
        }
        foreach (var (listener, kind) in agents._listeners)
            _ = Task.Run(() => agents.AcceptAsync(listener, kind), CancellationToken.None);
        return agents;
    }

    private void Listen(string kind, GuestUser user)
    {
        var folder = AgentSocketFiles.NewPrivateFolder($"s{_session}-{kind}");
        _folders.Add(folder);
        var path = $"{folder}/{AgentSocketFiles.SocketName}";
        var listener = AgentSocketFiles.Listen(path, user.Uid, user.Gid);
        _listeners.Add((listener, kind));
        if (kind == AgentKinds.SshAgent)
        {
            AgentSocketFiles.GiveFolder(folder, user.Uid, user.Gid);
            Environment["SSH_AUTH_SOCK"] = path;
        }
        else
        {
            _gpgSocket = AgentSocketFiles.PlaceGpgSocket(path, user.Uid, user.Gid);
        }
    }

    private async Task AcceptAsync(Socket listener, string kind)
    {
        while (!_ending.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(_ending.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            int stream;
            lock (_lock)
            {
                if (_streams.Count >= StreamMessages.MaxStreams)
                {
                    connection.Dispose();
                    continue;
                }
                stream = ++_nextStream;
                _streams[stream] = connection;
            }
            try
            {
                // Sent before any of its bytes, on the same channel: the host connects before data arrives.
                await SendAsync(ControlMessage.StreamOpened(stream, kind)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => PumpAsync(stream, connection), CancellationToken.None);
        }
    }

    /// <summary>What the agent client in the guest writes, as stream data, until it closes.</summary>
    private async Task PumpAsync(int stream, Socket connection)
    {
        var buffer = new byte[StreamMessages.MaxDataBytes];
        try
        {
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, _ending.Token).ConfigureAwait(false)) > 0)
                await SendAsync(ControlMessage.StreamBytes(stream, buffer.AsSpan(0, read))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
        if (Forget(stream, connection))
        {
            try
            {
                await SendAsync(ControlMessage.StreamClosed(stream)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A stream message from the host: bytes for a connection, or its close. Others are dropped.</summary>
    public async Task HandleAsync(ControlMessage message)
    {
        if (StreamMessages.Problem(message) is not null || message.Type == MessageTypes.StreamOpen)
            return;
        var stream = message.Stream!.Value;
        Socket? connection;
        lock (_lock)
            _streams.TryGetValue(stream, out connection);
        if (connection is null)
            return;
        if (message.Type == MessageTypes.StreamClose)
        {
            Forget(stream, connection);
            return;
        }
        try
        {
            await connection.SendAsync(message.DataBytes(), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (Forget(stream, connection))
                await SendAsync(ControlMessage.StreamClosed(stream)).ConfigureAwait(false);
        }
    }

    private bool Forget(int stream, Socket connection)
    {
        bool removed;
        lock (_lock)
            removed = _streams.TryGetValue(stream, out var current) && current == connection && _streams.Remove(stream);
        connection.Dispose();
        return removed;
    }

    private Task SendAsync(ControlMessage message) => _channel.SendAsync(message.ForSession(_session));

    public void Dispose()
    {
        _ending.Cancel();
        foreach (var (listener, _) in _listeners)
            listener.Dispose();
        List<Socket> open;
        lock (_lock)
        {
            open = [.. _streams.Values];
            _streams.Clear();
        }
        foreach (var connection in open)
            connection.Dispose();
        if (_gpgSocket is { } gpg)
            AgentSocketFiles.RemoveGpgSocket(gpg.Folder, gpg.Inode);
        _gpgSocket = null;
        foreach (var folder in _folders)
            AgentSocketFiles.RemoveFolder(folder);
    }
}

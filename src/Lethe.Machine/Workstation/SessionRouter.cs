using System.Collections.Concurrent;
using System.Net.Sockets;
using Lethe.Protocol;

namespace Lethe.Machine.Workstation;

/// <summary>
/// Which client connection each guest session belongs to. Clients number nothing: each connection is one
/// session, seen by its client as session 0. A client that has gone (it got its exit status and closed)
/// is dropped; it must never stop the routing, since that would stop the machine.
/// </summary>
public sealed class SessionRouter
{
    private readonly ConcurrentDictionary<int, ControlChannel> _sessions = new();
    private int _next;

    public int Open(ControlChannel client)
    {
        var session = Interlocked.Increment(ref _next);
        _sessions[session] = client;
        return session;
    }

    public bool IsOpen(int session) => _sessions.ContainsKey(session);

    public void Close(int session) => _sessions.TryRemove(session, out _);

    /// <summary>Hands a guest message to its session's client; an exit status ends the session.</summary>
    public async Task RouteAsync(ControlMessage fromGuest)
    {
        if (_sessions.TryGetValue(fromGuest.Session, out var client) && !await TrySendAsync(client, fromGuest.ForSession(0)).ConfigureAwait(false))
            Close(fromGuest.Session);
        if (fromGuest.Type == MessageTypes.Exit)
            Close(fromGuest.Session);
    }

    /// <summary>Ends every session with the given status (the machine is going away).</summary>
    public async Task EndAllAsync(int exitCode)
    {
        foreach (var (session, client) in _sessions)
        {
            await TrySendAsync(client, ControlMessage.Exited(exitCode)).ConfigureAwait(false);
            Close(session);
        }
    }

    private static async Task<bool> TrySendAsync(ControlChannel client, ControlMessage message)
    {
        try
        {
            await client.SendAsync(message).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            return false;
        }
    }
}

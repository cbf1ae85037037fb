using System.Collections.Concurrent;
using System.Net.Sockets;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Machine.Workstation;

/// <summary>
/// Which client connection each guest session belongs to. The supervisor numbers the sessions; each
/// client sees its one session as session 0 and can reach no other. A client that has gone (it got its
/// exit status and closed) is dropped; it must never stop the routing, since that would stop the machine.
/// Neither side is trusted: a guest message for a session that was never opened, or of a type a session
/// cannot send, and a client message for a session other than its own, are dropped and logged. Agent
/// streams pass between the guest and the session's client (which connects them to its own agents); a
/// stream-open of a kind the session did not ask for, or a stream message out of shape, is dropped too.
/// </summary>
public sealed class SessionRouter(TextWriter? log = null)
{
    private const int MaxLoggedDrops = 20;
    private readonly ConcurrentDictionary<int, ControlChannel> _sessions = new();
    private readonly ConcurrentDictionary<int, IReadOnlyList<string>> _forwards = new();
    private int _next;
    private int _loggedDrops;

    /// <summary>Where dropped messages are reported.</summary>
    public TextWriter Log { get; } = log ?? TextWriter.Null;

    /// <summary>Opens a session for <paramref name="client"/>, whose agent streams may be of the <paramref name="forwards"/> kinds only.</summary>
    public int Open(ControlChannel client, IReadOnlyList<string>? forwards = null)
    {
        var session = Interlocked.Increment(ref _next);
        _forwards[session] = AgentKinds.Known(forwards);
        _sessions[session] = client;
        return session;
    }

    /// <summary>Where the guest's listening reports go (forward: auto); null: they are dropped quietly.</summary>
    public ListeningReports? Listening { get; set; }

    public bool IsOpen(int session) => _sessions.ContainsKey(session);

    public void Close(int session)
    {
        _sessions.TryRemove(session, out _);
        _forwards.TryRemove(session, out _);
    }

    /// <summary>
    /// Routes everything the guest sends until its channel ends. Returns false when the guest broke the
    /// protocol (a message over the cap, or malformed); that is logged as one line, and the machine must go.
    /// </summary>
    public async Task<bool> RouteAllAsync(ControlChannel guest)
    {
        try
        {
            while (await guest.ReceiveAsync().ConfigureAwait(false) is { } message)
                await RouteAsync(message).ConfigureAwait(false);
            return true;
        }
        catch (ControlChannelException e)
        {
            Log.WriteLine($"lethe: the guest broke the control channel: {e.Message}; powering the machine off");
            return false;
        }
    }

    /// <summary>Hands a guest message to its session's client; the first exit status ends the session.</summary>
    public async Task RouteAsync(ControlMessage fromGuest)
    {
        var session = fromGuest.Session;
        if (fromGuest.Type == MessageTypes.Listening)
        {
            // About the machine, not a session: never passed to a client.
            Listening?.Report(fromGuest);
            return;
        }
        if (!SessionMessages.GuestMaySend(fromGuest.Type))
        {
            Dropped($"a '{fromGuest.Type}' message from the guest for session {session}: a session cannot send it");
            return;
        }
        if (!_sessions.TryGetValue(session, out var client))
        {
            // Output after a client left, or its command's exit after the kill, is normal; a session never opened is not.
            if (session <= 0 || session > Volatile.Read(ref _next))
                Dropped($"a '{fromGuest.Type}' message from the guest for session {session}, which was never opened");
            return;
        }
        if (StreamProblem(fromGuest, session) is { } problem)
        {
            Dropped($"a '{fromGuest.Type}' message from the guest for session {session}: {problem}");
            return;
        }
        if (fromGuest.Type == MessageTypes.Exit)
            Close(session);
        if (!await TrySendAsync(client, fromGuest.ForSession(SessionMessages.ClientSession)).ConfigureAwait(false))
            Close(session);
    }

    /// <summary>
    /// Serves one client's session: starts its command in the guest, then passes on what the client may
    /// send to its own command. When the client leaves first, its command is killed rather than left unseen.
    /// </summary>
    public async Task RelayClientAsync(ControlChannel client, ExecRequest exec, ControlChannel guest, CancellationToken stop)
    {
        var session = Open(client, exec.Forwards);
        try
        {
            await guest.SendAsync(ControlMessage.Run(exec).ForSession(session), stop).ConfigureAwait(false);
            while (await client.ReceiveAsync(stop).ConfigureAwait(false) is { } message)
            {
                if (message.Session != SessionMessages.ClientSession || !SessionMessages.ClientMaySend(message.Type))
                    Dropped($"a '{message.Type}' message from the client of session {session} for session {message.Session}");
                else if (StreamProblem(message, session) is { } problem)
                    Dropped($"a '{message.Type}' message from the client of session {session}: {problem}");
                else if (IsOpen(session))
                    await guest.SendAsync(message.ForSession(session), stop).ConfigureAwait(false);
            }
            if (IsOpen(session))
                await guest.SendAsync(ControlMessage.Kill(9).ForSession(session), stop).ConfigureAwait(false);
        }
        finally
        {
            Close(session);
        }
    }

    /// <summary>Ends every session with the given status (the machine is going away).</summary>
    public async Task EndAllAsync(int exitCode)
    {
        foreach (var (session, client) in _sessions)
        {
            Close(session);
            await TrySendAsync(client, ControlMessage.Exited(exitCode)).ConfigureAwait(false);
        }
    }

    /// <summary>Why a stream message may not pass for <paramref name="session"/>; null for one that may, and for other messages.</summary>
    private string? StreamProblem(ControlMessage message, int session)
    {
        if (!StreamMessages.IsStream(message.Type))
            return null;
        if (StreamMessages.Problem(message) is { } problem)
            return problem;
        var forwards = _forwards.GetValueOrDefault(session) ?? [];
        if (forwards.Count == 0)
            return "the session forwards no agent";
        return message.Type == MessageTypes.StreamOpen && !forwards.Contains(message.Kind!)
            ? $"the session did not ask for '{message.Kind}'"
            : null;
    }

    private void Dropped(string what)
    {
        var count = Interlocked.Increment(ref _loggedDrops);
        if (count <= MaxLoggedDrops)
            Log.WriteLine($"lethe: dropped {UntrustedText.ForLine(what)}");
        if (count == MaxLoggedDrops)
            Log.WriteLine("lethe: further dropped messages are not logged");
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

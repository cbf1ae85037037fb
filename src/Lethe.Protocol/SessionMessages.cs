namespace Lethe.Protocol;

/// <summary>
/// Pure: which messages may speak for a command session. Whoever relays a session (the host for a
/// guest, a supervisor for its socket clients) drops anything else, so that no peer can make a session
/// look booted, restarted or finished in a way a session cannot be.
/// </summary>
public static class SessionMessages
{
    /// <summary>What a guest sends about a running command: its output, a failure to start it, its exit status.</summary>
    public static bool GuestMaySend(string type) =>
        type is MessageTypes.Stdout or MessageTypes.Stderr or MessageTypes.Error or MessageTypes.Exit;

    /// <summary>What a client sends to its own running command, after the exec that started it.</summary>
    public static bool ClientMaySend(string type) =>
        type is MessageTypes.Stdin or MessageTypes.StdinClosed or MessageTypes.Signal or MessageTypes.Resize;

    /// <summary>The session number a supervisor's client uses for its one session: the supervisor numbers the rest.</summary>
    public const int ClientSession = 0;
}

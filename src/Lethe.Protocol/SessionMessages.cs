namespace Lethe.Protocol;

/// <summary>
/// Pure: which messages may speak for a command session. Whoever relays a session (the host for a
/// guest, a supervisor for its socket clients) drops anything else, so that no peer can make a session
/// look booted, restarted or finished in a way a session cannot be.
/// </summary>
public static class SessionMessages
{
    /// <summary>
    /// What a guest sends about a running command: its output, a failure to start it, its exit status, and
    /// the streams of its forwarded agents (which only the guest opens).
    /// </summary>
    public static bool GuestMaySend(string type) =>
        type is MessageTypes.Stdout or MessageTypes.Stderr or MessageTypes.Error or MessageTypes.Exit
            or MessageTypes.StreamOpen or MessageTypes.StreamData or MessageTypes.StreamClose;

    /// <summary>What a client sends to its own running command, after the exec that started it: input, and
    /// the bytes and closes of agent streams the guest opened (never an open).</summary>
    public static bool ClientMaySend(string type) =>
        type is MessageTypes.Stdin or MessageTypes.StdinClosed or MessageTypes.Signal or MessageTypes.Resize
            or MessageTypes.StreamData or MessageTypes.StreamClose;

    /// <summary>The session number a supervisor's client uses for its one session: the supervisor numbers the rest.</summary>
    public const int ClientSession = 0;
}

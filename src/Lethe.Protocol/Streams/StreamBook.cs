namespace Lethe.Protocol;

/// <summary>What to do with one stream message.</summary>
public enum StreamAction
{
    /// <summary>Drop it; <see cref="StreamDecision.Reason"/> says why, for the log.</summary>
    Drop,

    /// <summary>A new stream: connect it to the agent of its kind.</summary>
    Open,

    /// <summary>Refuse a new stream (too many open): answer with a close.</summary>
    Refuse,

    /// <summary>Bytes for an open stream.</summary>
    Deliver,

    /// <summary>The stream ends: close its connection and forget it.</summary>
    Close,
}

public readonly record struct StreamDecision(StreamAction Action, string? Reason = null);

/// <summary>
/// Pure bookkeeping of one session's streams on the side that receives them: which are open, of which
/// kind, and whether a message may be acted on. Only kinds the session asked for are opened, at most
/// <see cref="StreamMessages.MaxStreams"/> at once, each number once. Not thread-safe: one reader decides.
/// </summary>
public sealed class StreamBook(IReadOnlyList<string> allowedKinds)
{
    private readonly Dictionary<int, string> _open = [];

    public int OpenCount => _open.Count;

    public IReadOnlyCollection<int> OpenStreams => _open.Keys;

    public string? KindOf(int stream) => _open.GetValueOrDefault(stream);

    /// <summary>Decides a message from the peer and records what it changes.</summary>
    public StreamDecision Decide(ControlMessage message)
    {
        if (StreamMessages.Problem(message) is { } problem)
            return new(StreamAction.Drop, problem);
        var stream = message.Stream!.Value;
        switch (message.Type)
        {
            case MessageTypes.StreamOpen:
                if (!allowedKinds.Contains(message.Kind!))
                    return new(StreamAction.Drop, $"a stream-open of kind '{message.Kind}', which this session did not ask for");
                if (_open.ContainsKey(stream))
                    return new(StreamAction.Drop, $"a second stream-open of stream {stream}");
                if (_open.Count >= StreamMessages.MaxStreams)
                    return new(StreamAction.Refuse, $"stream {stream}: already {StreamMessages.MaxStreams} streams open");
                _open[stream] = message.Kind!;
                return new(StreamAction.Open);
            case MessageTypes.StreamData:
                return _open.ContainsKey(stream) ? new(StreamAction.Deliver) : new(StreamAction.Drop, $"data for stream {stream}, which is not open");
            default:
                return _open.Remove(stream) ? new(StreamAction.Close) : new(StreamAction.Drop, $"a close of stream {stream}, which is not open");
        }
    }

    /// <summary>This side ended the stream (its connection closed); true when it was open.</summary>
    public bool Forget(int stream) => _open.Remove(stream);
}

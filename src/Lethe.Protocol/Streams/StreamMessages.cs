namespace Lethe.Protocol;

/// <summary>
/// Pure: the strict reading of stream messages (a forwarded agent's connection inside a session). Either
/// end may be hostile, so a message that is out of shape is dropped, never acted on: a stream number out
/// of range, a chunk over the cap, or an open of a kind that is not known.
/// </summary>
public static class StreamMessages
{
    /// <summary>Concurrent streams per session. An agent client opens one connection at a time; 16 leaves room.</summary>
    public const int MaxStreams = 16;

    /// <summary>The largest chunk of a stream, before base64: the same as a command's output chunks.</summary>
    public const int MaxDataBytes = 16 * 1024;

    /// <summary>Stream numbers run from 1 to this; each session numbers its own.</summary>
    public const int MaxStreamNumber = 1_000_000;

    public static bool IsStream(string type) => type is MessageTypes.StreamOpen or MessageTypes.StreamData or MessageTypes.StreamClose;

    /// <summary>Null when the message is a well-formed stream message; else why it must be dropped, as one line.</summary>
    public static string? Problem(ControlMessage message)
    {
        if (!IsStream(message.Type))
            return $"a '{message.Type}' message is not a stream message";
        if (message.Stream is not { } stream || stream is < 1 or > MaxStreamNumber)
            return $"a {message.Type} message without a stream number from 1 to {MaxStreamNumber}";
        return message.Type switch
        {
            MessageTypes.StreamOpen when !AgentKinds.IsKnown(message.Kind) =>
                $"a stream-open of an unknown kind '{UntrustedText.ForLine(Shorten(message.Kind ?? ""))}'",
            MessageTypes.StreamData when message.Data is null => "a stream-data message without data",
            MessageTypes.StreamData when DecodedLength(message.Data) > MaxDataBytes =>
                $"a stream-data message over {MaxDataBytes} bytes",
            _ => null,
        };
    }

    /// <summary>The bytes a (valid, padded) base64 text decodes to, without decoding it.</summary>
    private static long DecodedLength(string base64) =>
        (long)base64.Length / 4 * 3 - (base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

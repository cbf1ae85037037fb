namespace Lethe.Protocol;

/// <summary>
/// The peer broke the protocol (a message over the size cap, or a line that is not a message), or a
/// message to send is over the cap. The channel is unusable afterwards: the machine's channel ends.
/// An IOException, so that every reader that already handles a lost peer handles this one too.
/// </summary>
public sealed class ControlChannelException(string message, Exception? inner = null) : IOException(message, inner);

namespace Lethe.Machine.Network.Stack;

/// <summary>Where one <see cref="TcpConnection"/> puts what it produces: segments for the guest, and the
/// guest's in-order payload for the other side. The connection itself touches no socket.</summary>
public interface ITcpSink
{
    /// <summary>One segment for the guest. <paramref name="mss"/> is 0 and <paramref name="windowScale"/> -1 except on SYNs.</summary>
    void Transmit(uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale);

    void Deliver(ReadOnlySpan<byte> data);
}

public enum TcpState
{
    /// <summary>The guest's SYN arrived; the gateway has not answered yet (it is deciding or connecting).</summary>
    SynPending,
    /// <summary>The gateway sent a SYN into the guest (a port forward) and waits for the SYN-ACK.</summary>
    SynSent,
    SynReceived,
    Established,
    Closed,
}

/// <summary>What one call changed that the runtime acts on.</summary>
[Flags]
public enum TcpEvents
{
    None = 0,
    Established = 1,
    /// <summary>The guest sent its FIN: it will send nothing more.</summary>
    GuestFinished = 2,
    /// <summary>The guest reset the connection.</summary>
    Reset = 4,
    /// <summary>Both directions are finished and acknowledged; the connection can be forgotten.</summary>
    Closed = 8,
    /// <summary>Retransmissions went unanswered; the connection was reset.</summary>
    TimedOut = 16,
}

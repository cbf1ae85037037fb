namespace Lethe.Machine.Network.Stack;

/// <summary>
/// One TCP connection between the guest and the gateway, as a pure state machine: segments and events in,
/// segments (through <see cref="ITcpSink"/>) and <see cref="TcpEvents"/> out. Times are milliseconds on any
/// monotonic clock the caller chooses. Window scaling when the guest offers it (its windows scaled by its shift,
/// ours by <see cref="OwnWindowShift"/>); no SACK, no out-of-order queue: the link is a local
/// socket, reliable and in order, so out-of-order segments are dropped and re-acknowledged, and what this side
/// sends is retransmitted go-back-N after a timeout.
/// </summary>
public sealed partial class TcpConnection
{
    public const ushort OwnMss = 1460;
    /// <summary>The most the guest may have in flight to this side without window scaling: all 16 bits can say.</summary>
    public const int ReceiveBuffer = 65535;
    /// <summary>The same with window scaling, which lets a local link's short round trips carry more.</summary>
    public const int ScaledReceiveBuffer = 262144;
    public const int OwnWindowShift = 2;
    public const int InitialRtoMs = 1000, MaxRtoMs = 16000, MaxRetries = 8;

    private readonly ITcpSink _sink;
    private readonly ByteQueue _sendQueue = new(16384);
    private readonly byte[] _scratch = new byte[OwnMss];
    private readonly uint _iss;
    private uint _irs, _sndUna, _sndNxt, _sndMax, _sndWnd, _rcvNxt;
    private int _sendMss = 536, _unconsumed, _lastAdvertised, _rtoMs = InitialRtoMs, _retries;
    private int _receiveBuffer = ReceiveBuffer, _rcvShift, _sndShift, _peerShift = -1;
    private long _rtoDeadline;
    private bool _ackPending, _finQueued, _finSent, _finAcked;

    private TcpConnection(ITcpSink sink, uint iss, TcpState state)
    {
        _sink = sink;
        _iss = _sndUna = _sndNxt = _sndMax = iss;
        State = state;
    }

    public TcpState State { get; private set; }
    public bool GuestFinished { get; private set; }
    /// <summary>Bytes from the other side that the guest has not acknowledged yet, plus those not yet sent.</summary>
    public int SendQueued => _sendQueue.Count;
    /// <summary>Guest bytes delivered to the sink and not yet reported <see cref="Consumed"/>.</summary>
    public int Unconsumed => _unconsumed;
    public bool AckPending => _ackPending;

    /// <summary>A connection for a guest's SYN; nothing is sent until <see cref="Accept"/> or <see cref="Refuse"/>.</summary>
    public static TcpConnection FromGuestSyn(ITcpSink sink, in TcpSegment syn, uint iss)
    {
        var connection = new TcpConnection(sink, iss, TcpState.SynPending);
        connection.TakePeerSyn(syn);
        connection.AgreeWindowScale();
        return connection;
    }

    /// <summary>A connection this side opens into the guest: sends the SYN at once.</summary>
    public static TcpConnection Open(ITcpSink sink, uint iss, long now)
    {
        var connection = new TcpConnection(sink, iss, TcpState.SynSent);
        connection.SendSyn(now);
        return connection;
    }

    /// <summary>The RST that answers a segment no connection owns (RFC 793, "reset generation").</summary>
    public static (uint Seq, uint Ack, TcpFlags Flags) ResetFor(in TcpSegment segment) =>
        segment.Has(TcpFlags.Ack)
            ? (segment.Ack, 0u, TcpFlags.Rst)
            : (0u, segment.Seq + (uint)segment.SequenceLength, TcpFlags.Rst | TcpFlags.Ack);

    public void Accept(long now)
    {
        if (State != TcpState.SynPending)
            return;
        State = TcpState.SynReceived;
        SendSyn(now);
    }

    public void Refuse()
    {
        if (State != TcpState.SynPending)
            return;
        _sink.Transmit(0, _rcvNxt, TcpFlags.Rst | TcpFlags.Ack, 0, 0, default, -1);
        State = TcpState.Closed;
    }

    /// <summary>Resets the connection from this side (denied, host reset, idle, shutdown).</summary>
    public void Abort()
    {
        switch (State)
        {
            case TcpState.SynPending:
                Refuse();
                return;
            case TcpState.SynSent:
                break;
            case TcpState.Closed:
                return;
            default:
                _sink.Transmit(_sndNxt, _rcvNxt, TcpFlags.Rst | TcpFlags.Ack, 0, 0, default, -1);
                break;
        }
        State = TcpState.Closed;
    }

    /// <summary>Queues bytes for the guest and sends what its window allows.</summary>
    public void Send(ReadOnlySpan<byte> data, long now)
    {
        if (State == TcpState.Closed || _finQueued)
            return;
        _sendQueue.Append(data);
        Push(now);
    }

    /// <summary>The other side finished sending: a FIN follows the queued bytes.</summary>
    public TcpEvents CloseSending(long now)
    {
        if (State == TcpState.Closed || _finQueued)
            return TcpEvents.None;
        _finQueued = true;
        Push(now);
        return TcpEvents.None;
    }

    /// <summary>The runtime passed on <paramref name="length"/> delivered bytes: the window reopens by as much.</summary>
    public void Consumed(int length)
    {
        _unconsumed = Math.Max(0, _unconsumed - length);
        if (State is TcpState.Established or TcpState.SynReceived && !GuestFinished
            && (_lastAdvertised < _sendMss || FreeBytes - _lastAdvertised >= Math.Min(_receiveBuffer / 2, 2 * _sendMss)))
            SendAck();
    }

    /// <summary>Sends the acknowledgement that receiving left pending (one per batch of frames, not per segment).</summary>
    public void FlushAck()
    {
        if (_ackPending && State is TcpState.Established)
            SendAck();
    }

    /// <summary>Retransmits after the timeout; gives up and resets after <see cref="MaxRetries"/>.</summary>
    public TcpEvents Tick(long now)
    {
        if (_rtoDeadline == 0 || now < _rtoDeadline || State == TcpState.Closed || State == TcpState.SynPending)
            return TcpEvents.None;
        if (++_retries > MaxRetries)
        {
            Abort();
            return TcpEvents.TimedOut;
        }
        _rtoMs = Math.Min(_rtoMs * 2, MaxRtoMs);
        _rtoDeadline = 0;
        if (State is TcpState.SynSent or TcpState.SynReceived)
        {
            SendSyn(now);
            return TcpEvents.None;
        }
        _sndNxt = _sndUna; // go back N
        _finSent = _finSent && _finAcked;
        if (_sendQueue.Count > 0 && _sndWnd == 0)
            SendSegment(0, 1, now); // zero-window probe: one byte past the closed window
        else
            Push(now);
        return TcpEvents.None;
    }

    /// <summary>Room for the guest's bytes, in bytes.</summary>
    private int FreeBytes => Math.Max(0, _receiveBuffer - _unconsumed);

    /// <summary>The window field: scaled, except on SYNs (RFC 7323).</summary>
    private ushort Window => (ushort)Math.Min(ushort.MaxValue, FreeBytes >> _rcvShift);

    /// <summary>Scaling holds only when both SYNs carried the option.</summary>
    private void AgreeWindowScale()
    {
        if (_peerShift < 0)
            return;
        _sndShift = _peerShift;
        _rcvShift = OwnWindowShift;
        _receiveBuffer = ScaledReceiveBuffer;
    }

    private void TakePeerSyn(in TcpSegment syn)
    {
        _irs = syn.Seq;
        _rcvNxt = syn.Seq + 1;
        _sendMss = Math.Clamp(syn.Mss == 0 ? 536 : (int)syn.Mss, 64, OwnMss);
        _sndWnd = syn.Window;
        _peerShift = syn.WindowScale;
    }

    private void SendSyn(long now)
    {
        var active = State == TcpState.SynSent;
        _lastAdvertised = FreeBytes;
        // Offered always on our SYN; on a SYN-ACK only in answer to the guest's offer.
        var windowScale = active || _peerShift >= 0 ? OwnWindowShift : -1;
        _sink.Transmit(_iss, active ? 0 : _rcvNxt, active ? TcpFlags.Syn : TcpFlags.Syn | TcpFlags.Ack,
            (ushort)Math.Min(ushort.MaxValue, FreeBytes), OwnMss, default, windowScale);
        _sndNxt = _sndMax = _iss + 1;
        Arm(now);
    }

    private void SendAck()
    {
        _ackPending = false;
        _lastAdvertised = FreeBytes;
        _sink.Transmit(_sndNxt, _rcvNxt, TcpFlags.Ack, Window, 0, default, -1);
    }

    private void Arm(long now)
    {
        if (_rtoDeadline == 0)
            _rtoDeadline = now + _rtoMs;
    }
}

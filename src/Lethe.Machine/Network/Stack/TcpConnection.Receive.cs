namespace Lethe.Machine.Network.Stack;

public sealed partial class TcpConnection
{
    /// <summary>Takes one segment from the guest.</summary>
    public TcpEvents OnSegment(in TcpSegment segment, long now)
    {
        if (State == TcpState.Closed)
            return TcpEvents.None;
        if (segment.Has(TcpFlags.Rst))
            return OnReset(segment);
        var events = TcpEvents.None;
        switch (State)
        {
            case TcpState.SynPending:
                return TcpEvents.None; // the guest's retransmitted SYN: still deciding
            case TcpState.SynSent:
                return OnSynSentSegment(segment, now);
            case TcpState.SynReceived:
                if (segment.Has(TcpFlags.Syn))
                {
                    if (segment.Seq == _irs)
                        RetransmitSynAck();
                    return TcpEvents.None;
                }
                if (!segment.Has(TcpFlags.Ack))
                    return TcpEvents.None;
                if (segment.Ack != _iss + 1)
                {
                    _sink.Transmit(segment.Ack, 0, TcpFlags.Rst, 0, 0, default, -1);
                    return TcpEvents.None;
                }
                Establish(segment);
                events |= TcpEvents.Established;
                break;
        }
        if (segment.Has(TcpFlags.Syn))
        {
            SendAck(); // a stale SYN on an open connection: remind the guest where we are
            return events;
        }
        return events | OnDataSegment(segment, now);
    }

    private TcpEvents OnReset(in TcpSegment segment)
    {
        var acceptable = State == TcpState.SynSent
            ? segment.Has(TcpFlags.Ack) && segment.Ack == _sndNxt
            : Seq.Ge(segment.Seq, _rcvNxt) && Seq.Lt(segment.Seq, _rcvNxt + (uint)Math.Max(1, FreeBytes));
        if (!acceptable)
            return TcpEvents.None;
        State = TcpState.Closed;
        return TcpEvents.Reset;
    }

    private TcpEvents OnSynSentSegment(in TcpSegment segment, long now)
    {
        if (segment.Has(TcpFlags.Ack) && segment.Ack != _iss + 1)
        {
            _sink.Transmit(segment.Ack, 0, TcpFlags.Rst, 0, 0, default, -1);
            return TcpEvents.None;
        }
        if (!segment.Has(TcpFlags.Syn) || !segment.Has(TcpFlags.Ack))
            return TcpEvents.None;
        TakePeerSyn(segment);
        AgreeWindowScale();
        Establish(segment);
        _sndWnd = segment.Window; // a SYN's window is never scaled
        SendAck();
        Push(now);
        return TcpEvents.Established;
    }

    private void Establish(in TcpSegment segment)
    {
        State = TcpState.Established;
        _sndUna = segment.Ack;
        _sndWnd = (uint)segment.Window << _sndShift;
        _rtoDeadline = 0;
        _retries = 0;
        _rtoMs = InitialRtoMs;
    }

    private TcpEvents OnDataSegment(in TcpSegment segment, long now)
    {
        var events = TcpEvents.None;
        if (segment.Has(TcpFlags.Ack) && !OnAck(segment, now))
            return events;
        var payload = segment.Payload;
        var fin = segment.Has(TcpFlags.Fin);
        var seq = segment.Seq;
        if (Seq.Lt(seq, _rcvNxt))
        {
            var duplicate = _rcvNxt - seq;
            if (duplicate >= (uint)payload.Length + (fin ? 1u : 0u))
            {
                if (payload.Length > 0 || fin)
                    _ackPending = true; // a retransmission of what we have: acknowledge again
                return events | Finish();
            }
            payload = payload[(int)duplicate..];
        }
        else if (seq != _rcvNxt)
        {
            _ackPending = true; // out of order (never on this link unless the guest lies): re-acknowledge
            return events;
        }
        if (GuestFinished)
            return events | Finish();
        var take = Math.Min(payload.Length, FreeBytes);
        if (take > 0)
        {
            _sink.Deliver(payload[..take]);
            _rcvNxt += (uint)take;
            _unconsumed += take;
            _ackPending = true;
        }
        if (take < payload.Length)
            _ackPending = true;
        else if (fin)
        {
            _rcvNxt++;
            GuestFinished = true;
            SendAck();
            events |= TcpEvents.GuestFinished;
        }
        return events | Finish();
    }

    /// <summary>Processes the acknowledgement field; false when the segment must be dropped.</summary>
    private bool OnAck(in TcpSegment segment, long now)
    {
        var ack = segment.Ack;
        if (Seq.Gt(ack, _sndMax))
        {
            SendAck(); // acknowledges what was never sent
            return false;
        }
        if (Seq.Lt(ack, _sndUna))
            return true; // an old acknowledgement; its data may still be new
        var acked = (int)(ack - _sndUna);
        var dataAcked = Math.Min(acked, _sendQueue.Count);
        _sendQueue.Discard(dataAcked);
        if (acked > dataAcked && _finSent)
            _finAcked = true;
        _sndUna = ack;
        if (Seq.Lt(_sndNxt, _sndUna))
            _sndNxt = _sndUna;
        _sndWnd = (uint)segment.Window << _sndShift;
        if (acked > 0)
        {
            _retries = 0;
            _rtoMs = InitialRtoMs;
            _rtoDeadline = 0;
            if (_sndUna != _sndMax)
                Arm(now);
        }
        Push(now);
        return true;
    }

    private TcpEvents Finish()
    {
        if (!(GuestFinished && _finAcked))
            return TcpEvents.None;
        State = TcpState.Closed;
        return TcpEvents.Closed;
    }

    private void RetransmitSynAck() =>
        _sink.Transmit(_iss, _rcvNxt, TcpFlags.Syn | TcpFlags.Ack, (ushort)Math.Min(ushort.MaxValue, FreeBytes), OwnMss, default,
            _peerShift >= 0 ? OwnWindowShift : -1);

    /// <summary>Sends queued bytes the guest's window admits, then the FIN once everything is out.</summary>
    private void Push(long now)
    {
        if (State != TcpState.Established)
            return;
        while (true)
        {
            var inFlight = (int)(_sndNxt - _sndUna);
            var unsent = _sendQueue.Count - inFlight;
            var usable = (int)_sndWnd - inFlight;
            if (unsent <= 0)
                break;
            if (usable <= 0)
            {
                Arm(now); // the persist timer: probe a closed window
                return;
            }
            SendSegment(inFlight, Math.Min(Math.Min(unsent, usable), _sendMss), now);
        }
        if (_finQueued && !_finSent)
        {
            _finSent = true;
            _sink.Transmit(_sndNxt, _rcvNxt, TcpFlags.Fin | TcpFlags.Ack, Window, 0, default, -1);
            _ackPending = false;
            _lastAdvertised = FreeBytes;
            _sndNxt++;
            if (Seq.Gt(_sndNxt, _sndMax))
                _sndMax = _sndNxt;
            Arm(now);
        }
    }

    private void SendSegment(int offset, int length, long now)
    {
        var payload = _scratch.AsSpan(0, length);
        _sendQueue.CopyTo(offset, payload);
        var seq = _sndUna + (uint)offset;
        var last = offset + length == _sendQueue.Count;
        _sink.Transmit(seq, _rcvNxt, last ? TcpFlags.Ack | TcpFlags.Psh : TcpFlags.Ack, Window, 0, payload, -1);
        _ackPending = false;
        _lastAdvertised = FreeBytes;
        var end = seq + (uint)length;
        if (Seq.Gt(end, _sndNxt))
            _sndNxt = end;
        if (Seq.Gt(end, _sndMax))
            _sndMax = end;
        Arm(now);
    }
}

using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

public sealed class TcpConnectionTests
{
    private const uint GuestIss = 5000, OwnIss = 90000;

    private sealed record Sent(uint Seq, uint Ack, TcpFlags Flags, ushort Window, ushort Mss, byte[] Payload, int WindowScale);

    private sealed class RecordingSink : ITcpSink
    {
        public List<Sent> Segments { get; } = [];
        public List<byte> Delivered { get; } = [];

        public void Transmit(uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale) =>
            Segments.Add(new Sent(seq, ack, flags, window, mss, payload.ToArray(), windowScale));

        public void Deliver(ReadOnlySpan<byte> data) => Delivered.AddRange(data.ToArray());

        public List<Sent> Take()
        {
            var taken = Segments.ToList();
            Segments.Clear();
            return taken;
        }
    }

    private static TcpEvents Guest(TcpConnection connection, uint seq, uint ack, TcpFlags flags, byte[]? payload = null, ushort window = 65535, ushort mss = 0, long now = 0, int windowScale = -1) =>
        connection.OnSegment(new TcpSegment { Seq = seq, Ack = ack, Flags = flags, Window = window, Mss = mss, Payload = payload ?? [], WindowScale = windowScale }, now);

    private static (TcpConnection Connection, RecordingSink Sink) Established(ushort guestMss = 1460, ushort guestWindow = 65535)
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.FromGuestSyn(sink, new TcpSegment { Seq = GuestIss, Flags = TcpFlags.Syn, Window = guestWindow, Mss = guestMss, WindowScale = -1 }, OwnIss);
        connection.Accept(0);
        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack, window: guestWindow).ShouldBe(TcpEvents.Established);
        sink.Take();
        return (connection, sink);
    }

    [Fact]
    public void A_guest_syn_is_answered_only_when_accepted_with_our_mss_and_no_window_scaling()
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.FromGuestSyn(sink, new TcpSegment { Seq = GuestIss, Flags = TcpFlags.Syn, Window = 64240, Mss = 1460, WindowScale = -1 }, OwnIss);
        sink.Segments.ShouldBeEmpty();
        Guest(connection, GuestIss, 0, TcpFlags.Syn, mss: 1460).ShouldBe(TcpEvents.None); // retransmitted SYN while deciding
        sink.Segments.ShouldBeEmpty();

        connection.Accept(0);
        var synAck = sink.Take().ShouldHaveSingleItem();
        (synAck.Seq, synAck.Ack, synAck.Flags, synAck.Mss, synAck.WindowScale).ShouldBe((OwnIss, GuestIss + 1, TcpFlags.Syn | TcpFlags.Ack, TcpConnection.OwnMss, -1));

        Guest(connection, GuestIss, 0, TcpFlags.Syn); // the SYN-ACK was lost: it is sent again
        sink.Take().ShouldHaveSingleItem().Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack).ShouldBe(TcpEvents.Established);
        connection.State.ShouldBe(TcpState.Established);
    }

    [Fact]
    public void Window_scaling_offered_by_the_guest_is_agreed_and_applied_both_ways()
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.FromGuestSyn(sink, new TcpSegment { Seq = GuestIss, Flags = TcpFlags.Syn, Window = 64240, Mss = 1000, WindowScale = 7 }, OwnIss);
        connection.Accept(0);
        var synAck = sink.Take().ShouldHaveSingleItem();
        (synAck.WindowScale, synAck.Window).ShouldBe((TcpConnection.OwnWindowShift, (ushort)65535), "a SYN's window is never scaled");

        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack, window: 4).ShouldBe(TcpEvents.Established); // 4 << 7 = 512 bytes
        connection.Send(new byte[3000], 0);
        sink.Take().Select(s => s.Payload.Length).ShouldBe([512]);
        Guest(connection, GuestIss + 1, OwnIss + 513, TcpFlags.Ack, window: 1024); // 128 KiB: beyond what 16 bits say
        sink.Take().Sum(s => s.Payload.Length).ShouldBe(2488);

        Guest(connection, GuestIss + 1, OwnIss + 3001, TcpFlags.Ack, new byte[100_000].AsSpan(0, 1000).ToArray());
        connection.FlushAck();
        sink.Take().ShouldHaveSingleItem().Window.ShouldBe((ushort)((TcpConnection.ScaledReceiveBuffer - 1000) >> TcpConnection.OwnWindowShift));
    }

    [Fact]
    public void Without_the_guests_offer_there_is_no_scaling_either_way()
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.Open(sink, OwnIss, 0);
        sink.Take().ShouldHaveSingleItem().WindowScale.ShouldBe(TcpConnection.OwnWindowShift, "offered on our own SYN");
        Guest(connection, GuestIss, OwnIss + 1, TcpFlags.Syn | TcpFlags.Ack, window: 1000, mss: 1460);
        sink.Take();
        connection.Send(new byte[3000], 0);
        sink.Take().Sum(s => s.Payload.Length).ShouldBe(1000);
        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack, new byte[10], window: 1000);
        connection.FlushAck();
        sink.Take().ShouldHaveSingleItem().Window.ShouldBe((ushort)(TcpConnection.ReceiveBuffer - 10));
    }

    [Fact]
    public void Refusing_a_syn_resets_it_acknowledging_the_syn()
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.FromGuestSyn(sink, new TcpSegment { Seq = GuestIss, Flags = TcpFlags.Syn, WindowScale = -1 }, OwnIss);
        connection.Refuse();
        var rst = sink.Take().ShouldHaveSingleItem();
        (rst.Flags, rst.Ack).ShouldBe((TcpFlags.Rst | TcpFlags.Ack, GuestIss + 1));
        connection.State.ShouldBe(TcpState.Closed);
    }

    [Fact]
    public void Guest_data_is_delivered_once_acknowledged_per_batch_and_duplicates_are_dropped()
    {
        var (connection, sink) = Established();
        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack | TcpFlags.Psh, "abc"u8.ToArray());
        Guest(connection, GuestIss + 4, OwnIss + 1, TcpFlags.Ack | TcpFlags.Psh, "def"u8.ToArray());
        sink.Segments.ShouldBeEmpty("acknowledgements wait for the end of the batch");
        connection.FlushAck();
        var ack = sink.Take().ShouldHaveSingleItem();
        ack.Ack.ShouldBe(GuestIss + 7);
        ack.Window.ShouldBe((ushort)(TcpConnection.ReceiveBuffer - 6), "unconsumed bytes close the window");

        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack, "abc"u8.ToArray()); // a retransmission
        Guest(connection, GuestIss + 4, OwnIss + 1, TcpFlags.Ack, "defgh"u8.ToArray()); // overlaps: only "gh" is new
        Guest(connection, GuestIss + 50, OwnIss + 1, TcpFlags.Ack, "zz"u8.ToArray()); // out of order: dropped
        connection.FlushAck();
        sink.Take().Last().Ack.ShouldBe(GuestIss + 9);
        new string(sink.Delivered.Select(b => (char)b).ToArray()).ShouldBe("abcdefgh");
    }

    [Fact]
    public void Our_window_closes_as_bytes_wait_and_reopens_with_an_update_when_consumed()
    {
        var (connection, sink) = Established();
        var seq = GuestIss + 1;
        var chunk = new byte[1460];
        while (seq - (GuestIss + 1) + 1460 <= TcpConnection.ReceiveBuffer)
        {
            Guest(connection, seq, OwnIss + 1, TcpFlags.Ack, chunk);
            seq += 1460;
        }
        var room = TcpConnection.ReceiveBuffer - (int)(seq - (GuestIss + 1));
        Guest(connection, seq, OwnIss + 1, TcpFlags.Ack, new byte[2000]); // more than the window: trimmed to it
        connection.FlushAck();
        var full = sink.Take().Last();
        full.Window.ShouldBe((ushort)0);
        full.Ack.ShouldBe(seq + (uint)room);
        sink.Delivered.Count.ShouldBe(TcpConnection.ReceiveBuffer);

        connection.Consumed(TcpConnection.ReceiveBuffer);
        var update = sink.Take().ShouldHaveSingleItem();
        (update.Flags, update.Window).ShouldBe((TcpFlags.Ack, (ushort)TcpConnection.ReceiveBuffer));
    }

    [Fact]
    public void Sending_respects_the_guests_mss_and_window_and_resumes_on_its_acks()
    {
        var (connection, sink) = Established(guestMss: 1000, guestWindow: 2500);
        connection.Send(new byte[6000], 0);
        var first = sink.Take();
        first.Select(s => s.Payload.Length).ShouldBe([1000, 1000, 500]);
        first.Select(s => s.Seq).ShouldBe([OwnIss + 1, OwnIss + 1001, OwnIss + 2001]);
        connection.SendQueued.ShouldBe(6000);

        Guest(connection, GuestIss + 1, OwnIss + 2501, TcpFlags.Ack, window: 4000);
        sink.Take().Select(s => s.Payload.Length).ShouldBe([1000, 1000, 1000, 500]);
        connection.SendQueued.ShouldBe(3500);
        Guest(connection, GuestIss + 1, OwnIss + 6001, TcpFlags.Ack, window: 4000);
        connection.SendQueued.ShouldBe(0);
        sink.Take().ShouldBeEmpty();
    }

    [Fact]
    public void Unacknowledged_data_is_resent_after_the_timeout_and_a_dead_guest_is_reset()
    {
        var (connection, sink) = Established();
        connection.Send("lost"u8, 0);
        sink.Take().ShouldHaveSingleItem();
        connection.Tick(TcpConnection.InitialRtoMs - 1).ShouldBe(TcpEvents.None);
        sink.Segments.ShouldBeEmpty();
        connection.Tick(TcpConnection.InitialRtoMs);
        var again = sink.Take().ShouldHaveSingleItem();
        again.Seq.ShouldBe(OwnIss + 1);
        again.Payload.ShouldBe("lost"u8.ToArray());

        var now = (long)TcpConnection.InitialRtoMs;
        var events = TcpEvents.None;
        for (var i = 0; i < 20 && events == TcpEvents.None; i++)
            events = connection.Tick(now += TcpConnection.MaxRtoMs);
        events.ShouldBe(TcpEvents.TimedOut);
        sink.Segments.Last().Flags.ShouldBe(TcpFlags.Rst | TcpFlags.Ack);
        connection.State.ShouldBe(TcpState.Closed);
    }

    [Fact]
    public void A_closed_guest_window_is_probed()
    {
        var (connection, sink) = Established(guestWindow: 0);
        connection.Send("x"u8, 0);
        sink.Segments.ShouldBeEmpty();
        connection.Tick(TcpConnection.InitialRtoMs);
        sink.Take().ShouldHaveSingleItem().Payload.ShouldBe("x"u8.ToArray());
    }

    [Fact]
    public void Guest_closes_first_then_the_other_side_and_the_connection_ends()
    {
        var (connection, sink) = Established();
        Guest(connection, GuestIss + 1, OwnIss + 1, TcpFlags.Ack | TcpFlags.Fin, "bye"u8.ToArray()).ShouldBe(TcpEvents.GuestFinished);
        sink.Take().ShouldHaveSingleItem().Ack.ShouldBe(GuestIss + 5, "the FIN takes one sequence number");
        connection.Send("last"u8, 0);
        connection.CloseSending(0);
        var sent = sink.Take();
        sent.Select(s => s.Flags).ShouldBe([TcpFlags.Ack | TcpFlags.Psh, TcpFlags.Fin | TcpFlags.Ack]);
        sent[1].Seq.ShouldBe(OwnIss + 5);
        Guest(connection, GuestIss + 5, OwnIss + 6, TcpFlags.Ack).ShouldBe(TcpEvents.Closed);
        connection.State.ShouldBe(TcpState.Closed);
    }

    [Fact]
    public void Other_side_closes_first_and_the_guest_may_keep_sending_until_its_fin()
    {
        var (connection, sink) = Established();
        connection.CloseSending(0);
        var fin = sink.Take().ShouldHaveSingleItem();
        (fin.Flags, fin.Seq).ShouldBe((TcpFlags.Fin | TcpFlags.Ack, OwnIss + 1));
        Guest(connection, GuestIss + 1, OwnIss + 2, TcpFlags.Ack, "more"u8.ToArray()).ShouldBe(TcpEvents.None);
        sink.Delivered.Count.ShouldBe(4);
        Guest(connection, GuestIss + 5, OwnIss + 2, TcpFlags.Ack | TcpFlags.Fin).ShouldBe(TcpEvents.GuestFinished | TcpEvents.Closed);
    }

    [Fact]
    public void A_lost_fin_is_sent_again()
    {
        var (connection, sink) = Established();
        connection.Send("data"u8, 0);
        connection.CloseSending(0);
        sink.Take().Count.ShouldBe(2);
        Guest(connection, GuestIss + 1, OwnIss + 5, TcpFlags.Ack); // data acknowledged, FIN not
        connection.Tick(TcpConnection.InitialRtoMs);
        var again = sink.Take().ShouldHaveSingleItem();
        (again.Flags, again.Seq).ShouldBe((TcpFlags.Fin | TcpFlags.Ack, OwnIss + 5));
    }

    [Fact]
    public void Reset_in_window_ends_the_connection_and_one_outside_is_ignored()
    {
        var (connection, _) = Established();
        Guest(connection, GuestIss + 100000, 0, TcpFlags.Rst).ShouldBe(TcpEvents.None);
        connection.State.ShouldBe(TcpState.Established);
        Guest(connection, GuestIss + 1, 0, TcpFlags.Rst).ShouldBe(TcpEvents.Reset);
        connection.State.ShouldBe(TcpState.Closed);
    }

    [Fact]
    public void Abort_resets_the_guest_at_our_next_sequence_number()
    {
        var (connection, sink) = Established();
        connection.Abort();
        var rst = sink.Take().ShouldHaveSingleItem();
        (rst.Flags, rst.Seq, rst.Ack).ShouldBe((TcpFlags.Rst | TcpFlags.Ack, OwnIss + 1, GuestIss + 1));
    }

    [Fact]
    public void An_acknowledgement_of_data_never_sent_is_answered_and_ignored()
    {
        var (connection, sink) = Established();
        Guest(connection, GuestIss + 1, OwnIss + 5000, TcpFlags.Ack, "x"u8.ToArray());
        sink.Delivered.ShouldBeEmpty();
        sink.Take().ShouldHaveSingleItem().Ack.ShouldBe(GuestIss + 1);
    }

    [Fact]
    public void Opening_into_the_guest_sends_a_syn_and_establishes_on_its_syn_ack()
    {
        var sink = new RecordingSink();
        var connection = TcpConnection.Open(sink, OwnIss, 0);
        var syn = sink.Take().ShouldHaveSingleItem();
        (syn.Flags, syn.Seq, syn.Mss).ShouldBe((TcpFlags.Syn, OwnIss, TcpConnection.OwnMss));
        connection.Send("queued before the handshake"u8, 0);
        sink.Segments.ShouldBeEmpty();

        Guest(connection, GuestIss, OwnIss + 1, TcpFlags.Syn | TcpFlags.Ack, mss: 1460).ShouldBe(TcpEvents.Established);
        var sent = sink.Take();
        sent[0].Flags.ShouldBe(TcpFlags.Ack);
        sent[0].Ack.ShouldBe(GuestIss + 1);
        sent[1].Payload.Length.ShouldBe(27);
    }

    [Fact]
    public void Opening_into_a_closed_guest_port_ends_on_its_reset_and_a_silent_guest_times_out()
    {
        var sink = new RecordingSink();
        var refused = TcpConnection.Open(sink, OwnIss, 0);
        Guest(refused, 0, OwnIss + 1, TcpFlags.Rst | TcpFlags.Ack).ShouldBe(TcpEvents.Reset);

        var silent = TcpConnection.Open(sink, OwnIss, 0);
        sink.Take();
        silent.Tick(TcpConnection.InitialRtoMs);
        sink.Take().ShouldHaveSingleItem().Flags.ShouldBe(TcpFlags.Syn);
        var now = (long)TcpConnection.InitialRtoMs;
        var events = TcpEvents.None;
        for (var i = 0; i < 20 && events == TcpEvents.None; i++)
            events = silent.Tick(now += TcpConnection.MaxRtoMs);
        events.ShouldBe(TcpEvents.TimedOut);
    }

    [Fact]
    public void A_reset_answers_a_segment_for_no_connection()
    {
        TcpConnection.ResetFor(new TcpSegment { Seq = 10, Ack = 77, Flags = TcpFlags.Ack }).ShouldBe((77u, 0u, TcpFlags.Rst));
        TcpConnection.ResetFor(new TcpSegment { Seq = 10, Flags = TcpFlags.Syn }).ShouldBe((0u, 11u, TcpFlags.Rst | TcpFlags.Ack));
    }
}

using System.Buffers.Binary;
using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

public sealed class StackCodecTests
{
    private static readonly MacAddress GuestMac = MacAddress.Parse("52:54:00:12:34:56");
    private static readonly MacAddress GatewayMac = MacAddress.Parse("52:55:0a:00:02:02");
    private const uint Guest = 0x0a00020f, Gateway = 0x0a000202;

    [Fact]
    public void Checksum_matches_the_rfc_1071_example_and_a_known_ipv4_header()
    {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2 (ones' complement); the checksum is its complement.
        Checksum.Compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]).ShouldBe((ushort)0x220d);
        // A real IPv4 header whose checksum field (zeroed here) carries 0xb861.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Checksum.Compute(header).ShouldBe((ushort)0xb861);
        Checksum.Compute([0xab]).ShouldBe((ushort)0x54ff);
    }

    [Fact]
    public void Ipv4_header_written_parses_back_and_bad_headers_are_refused()
    {
        var packet = new byte[28];
        Ipv4Packet.WriteHeader(packet, Gateway, Guest, Ipv4.Udp, 7, 8);
        Ipv4Packet.TryParse(packet, out var parsed).ShouldBeTrue();
        (parsed.Source, parsed.Destination, parsed.Protocol, parsed.Payload.Length).ShouldBe((Gateway, Guest, Ipv4.Udp, 8));

        var corrupted = (byte[])packet.Clone();
        corrupted[15] ^= 1;
        Ipv4Packet.TryParse(corrupted, out _).ShouldBeFalse("bad header checksum");
        Ipv4Packet.TryParse(packet.AsSpan(0, 27), out _).ShouldBeFalse("total length beyond the frame");
        var fragment = (byte[])packet.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), 0x2000); // more fragments
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(10), Checksum.Compute(fragment.AsSpan(0, 20)));
        Ipv4Packet.TryParse(fragment, out _).ShouldBeFalse("fragments are not reassembled");
    }

    [Fact]
    public void Tcp_frame_round_trips_with_mss_and_a_checksum_that_verifies()
    {
        var frame = new byte[Frames.TcpOverhead + 5];
        var length = Frames.Tcp(frame, GuestMac, GatewayMac, Gateway, Guest, 1, 80, 40000, 1000, 2000,
            TcpFlags.Syn | TcpFlags.Ack, 65535, 1460, "hello"u8, windowScale: 2);
        length.ShouldBe(frame.Length);

        Ethernet.TryParse(frame, out var to, out var from, out var type, out var payload).ShouldBeTrue();
        (to, from, type).ShouldBe((GuestMac, GatewayMac, Ethernet.TypeIpv4));
        Ipv4Packet.TryParse(payload, out var ip).ShouldBeTrue();
        var sum = Checksum.Add(Checksum.PseudoHeader(ip.Source, ip.Destination, Ipv4.Tcp, ip.Payload.Length), ip.Payload);
        Checksum.Fold(sum).ShouldBe((ushort)0, "a segment including its checksum sums to zero");
        TcpSegment.TryParse(ip.Payload, out var segment).ShouldBeTrue();
        (segment.SourcePort, segment.DestinationPort, segment.Seq, segment.Ack).ShouldBe(((ushort)80, (ushort)40000, 1000u, 2000u));
        (segment.Flags, segment.Window, segment.Mss, segment.WindowScale).ShouldBe((TcpFlags.Syn | TcpFlags.Ack, (ushort)65535, (ushort)1460, 2));
        segment.Payload.ToArray().ShouldBe("hello"u8.ToArray());
    }

    [Fact]
    public void Udp_and_icmp_frames_verify()
    {
        var frame = new byte[Frames.MaxFrame];
        var length = Frames.Udp(frame, GuestMac, GatewayMac, 0x0a000203, Guest, 2, 53, 5353, "answer"u8);
        Ethernet.TryParse(frame.AsSpan(0, length), out _, out _, out _, out var payload).ShouldBeTrue();
        Ipv4Packet.TryParse(payload, out var ip).ShouldBeTrue();
        Checksum.Fold(Checksum.Add(Checksum.PseudoHeader(ip.Source, ip.Destination, Ipv4.Udp, ip.Payload.Length), ip.Payload)).ShouldBe((ushort)0);
        Udp.TryParse(ip.Payload, out var from, out var to, out var data).ShouldBeTrue();
        (from, to).ShouldBe(((ushort)53, (ushort)5353));
        data.ToArray().ShouldBe("answer"u8.ToArray());

        var offending = ip.Packet.ToArray();
        length = Frames.Unreachable(frame, GuestMac, GatewayMac, Gateway, Guest, 3, Icmp.CodePortUnreachable, offending);
        Ethernet.TryParse(frame.AsSpan(0, length), out _, out _, out _, out payload).ShouldBeTrue();
        Ipv4Packet.TryParse(payload, out var icmp).ShouldBeTrue();
        icmp.Protocol.ShouldBe(Ipv4.Icmp);
        Checksum.Compute(icmp.Payload).ShouldBe((ushort)0);
        (icmp.Payload[0], icmp.Payload[1]).ShouldBe((Icmp.DestinationUnreachable, Icmp.CodePortUnreachable));
        icmp.Payload[8..].ToArray().ShouldBe(offending[..(20 + 8)]);
    }

    [Fact]
    public void Arp_reply_carries_the_gateway_mac_for_the_asked_address()
    {
        var frame = new byte[64];
        var length = Frames.Arp(frame, GuestMac, GatewayMac, Arp.OpReply, Gateway, Guest);
        Ethernet.TryParse(frame.AsSpan(0, length), out var to, out _, out var type, out var payload).ShouldBeTrue();
        (to, type).ShouldBe((GuestMac, Ethernet.TypeArp));
        Arp.TryParse(payload, out var operation, out var senderMac, out var senderIp, out var targetIp).ShouldBeTrue();
        (operation, senderMac, senderIp, targetIp).ShouldBe((Arp.OpReply, GatewayMac, Gateway, Guest));
    }

    [Fact]
    public void Truncated_and_garbage_input_is_refused_by_every_parser_without_throwing()
    {
        var random = new Random(8);
        var frame = new byte[Frames.TcpOverhead + 100];
        var valid = Frames.Tcp(frame, GatewayMac, GuestMac, Guest, Gateway, 9, 40000, 80, 1, 1, TcpFlags.Syn, 1000, 1460, new byte[100]);
        for (var i = 0; i < 20000; i++)
        {
            var sample = random.Next(3) == 0 ? frame.AsSpan(0, 1 + random.Next(valid - 1)).ToArray() : frame.AsSpan(0, valid).ToArray();
            for (var flips = random.Next(4); flips > 0; flips--)
                sample[random.Next(sample.Length)] = (byte)random.Next(256);
            if (Ethernet.TryParse(sample, out _, out _, out _, out var payload))
            {
                Arp.TryParse(payload, out _, out _, out _, out _);
                if (Ipv4Packet.TryParse(payload, out var ip))
                {
                    TcpSegment.TryParse(ip.Payload, out _);
                    Udp.TryParse(ip.Payload, out _, out _, out _);
                }
            }
            TcpSegment.TryParse(sample, out _);
        }
    }

    [Fact]
    public void Tcp_options_that_lie_about_their_length_do_not_throw()
    {
        var header = new byte[32];
        header[12] = 8 << 4; // 32-byte header: 12 bytes of options
        header[13] = (byte)TcpFlags.Syn;
        header[20] = 3;
        header[21] = 200; // an option longer than the header
        TcpSegment.TryParse(header, out var segment).ShouldBeTrue();
        segment.Mss.ShouldBe((ushort)0);
        header[21] = 0; // a zero length would loop forever
        TcpSegment.TryParse(header, out segment).ShouldBeTrue();
        segment.Mss.ShouldBe((ushort)0);
    }

    [Fact]
    public void Byte_queue_wraps_and_grows_in_order()
    {
        var queue = new ByteQueue(16);
        var expected = new List<byte>();
        var random = new Random(1);
        for (var round = 0; round < 500; round++)
        {
            var data = new byte[random.Next(40)];
            random.NextBytes(data);
            queue.Append(data);
            expected.AddRange(data);
            var discard = random.Next(queue.Count + 1);
            queue.Discard(discard);
            expected.RemoveRange(0, discard);
            var copy = new byte[queue.Count];
            queue.CopyTo(0, copy);
            copy.ShouldBe(expected.ToArray());
        }
    }
}

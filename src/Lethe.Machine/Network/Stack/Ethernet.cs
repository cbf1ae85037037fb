using System.Buffers.Binary;

namespace Lethe.Machine.Network.Stack;

/// <summary>Ethernet II framing (no VLAN tags: a tagged frame is just an unknown type, dropped).</summary>
public static class Ethernet
{
    public const int HeaderLength = 14;
    public const ushort TypeIpv4 = 0x0800, TypeArp = 0x0806;

    public static bool TryParse(ReadOnlySpan<byte> frame, out MacAddress destination, out MacAddress source, out ushort type, out ReadOnlySpan<byte> payload)
    {
        if (frame.Length < HeaderLength)
        {
            (destination, source, type) = (default, default, 0);
            payload = default;
            return false;
        }
        destination = MacAddress.Read(frame);
        source = MacAddress.Read(frame[6..]);
        type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        payload = frame[HeaderLength..];
        return true;
    }

    public static void WriteHeader(Span<byte> frame, MacAddress destination, MacAddress source, ushort type)
    {
        destination.Write(frame);
        source.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], type);
    }
}

/// <summary>ARP for IPv4 over Ethernet: requests are read, replies written.</summary>
public static class Arp
{
    public const int Length = 28;
    public const ushort OpRequest = 1, OpReply = 2;

    public static bool TryParse(ReadOnlySpan<byte> arp, out ushort operation, out MacAddress senderMac, out uint senderIp, out uint targetIp)
    {
        (operation, senderMac, senderIp, targetIp) = (0, default, 0, 0);
        if (arp.Length < Length || BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != Ethernet.TypeIpv4
            || arp[4] != 6 || arp[5] != 4)
            return false;
        operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        senderMac = MacAddress.Read(arp[8..]);
        senderIp = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        targetIp = BinaryPrimitives.ReadUInt32BigEndian(arp[24..]);
        return true;
    }

    public static void Write(Span<byte> arp, ushort operation, MacAddress senderMac, uint senderIp, MacAddress targetMac, uint targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], Ethernet.TypeIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        senderMac.Write(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], senderIp);
        targetMac.Write(arp[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp);
    }
}

/// <summary>UDP: parsed without verifying the checksum (the guest only hurts itself), written with one.</summary>
public static class Udp
{
    public const int HeaderLength = 8;

    public static bool TryParse(ReadOnlySpan<byte> datagram, out ushort sourcePort, out ushort destinationPort, out ReadOnlySpan<byte> payload)
    {
        (sourcePort, destinationPort) = (0, 0);
        payload = default;
        if (datagram.Length < HeaderLength)
            return false;
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]);
        if (length < HeaderLength || length > datagram.Length)
            return false;
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        payload = datagram[HeaderLength..length];
        return true;
    }

    public static void Write(Span<byte> datagram, uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var length = HeaderLength + payload.Length;
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[4..], (ushort)length);
        datagram[6] = datagram[7] = 0;
        payload.CopyTo(datagram[HeaderLength..]);
        var sum = Checksum.Fold(Checksum.Add(Checksum.PseudoHeader(sourceIp, destinationIp, Ipv4.Udp, length), datagram[..length]));
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], sum == 0 ? (ushort)0xffff : sum);
    }
}

/// <summary>ICMP: the gateway reads only the type of what the guest sends, and writes destination unreachables.</summary>
public static class Icmp
{
    public const byte EchoRequest = 8, DestinationUnreachable = 3;
    public const byte CodePortUnreachable = 3, CodeAdministrativelyProhibited = 13;
    public const int HeaderLength = 8;

    /// <summary>How much of the offending packet an unreachable quotes: its header and 8 bytes, as RFC 792 asks.</summary>
    public static int QuoteLength(ReadOnlySpan<byte> offendingPacket) =>
        Math.Min(offendingPacket.Length, (offendingPacket[0] & 0xf) * 4 + 8);

    public static int WriteUnreachable(Span<byte> message, byte code, ReadOnlySpan<byte> offendingPacket)
    {
        var quote = offendingPacket[..QuoteLength(offendingPacket)];
        message[0] = DestinationUnreachable;
        message[1] = code;
        message[2] = message[3] = 0;
        message[4] = message[5] = message[6] = message[7] = 0;
        quote.CopyTo(message[HeaderLength..]);
        var length = HeaderLength + quote.Length;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], Checksum.Compute(message[..length]));
        return length;
    }
}

namespace Lethe.Machine.Network.Stack;

/// <summary>Whole Ethernet frames, built in place: each method writes into <c>frame</c> and returns its length.
/// The caller sizes <c>frame</c> with <see cref="MaxFrame"/> or the payload plus <see cref="TcpOverhead"/>.</summary>
public static class Frames
{
    public const int MaxFrame = Ethernet.HeaderLength + 65535;
    public const int TcpOverhead = Ethernet.HeaderLength + Ipv4Packet.HeaderLength + TcpSegment.HeaderLength + 8;
    private const int IpStart = Ethernet.HeaderLength, TransportStart = IpStart + Ipv4Packet.HeaderLength;

    public static int Tcp(Span<byte> frame, MacAddress toMac, MacAddress fromMac, uint fromIp, uint toIp, ushort ipId,
        ushort fromPort, ushort toPort, uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale = -1)
    {
        Ethernet.WriteHeader(frame, toMac, fromMac, Ethernet.TypeIpv4);
        var length = TcpSegment.Write(frame[TransportStart..], fromIp, toIp, fromPort, toPort, seq, ack, flags, window, mss, payload, windowScale);
        Ipv4Packet.WriteHeader(frame[IpStart..], fromIp, toIp, Ipv4.Tcp, ipId, length);
        return TransportStart + length;
    }

    public static int Udp(Span<byte> frame, MacAddress toMac, MacAddress fromMac, uint fromIp, uint toIp, ushort ipId,
        ushort fromPort, ushort toPort, ReadOnlySpan<byte> payload)
    {
        Ethernet.WriteHeader(frame, toMac, fromMac, Ethernet.TypeIpv4);
        Stack.Udp.Write(frame[TransportStart..], fromIp, toIp, fromPort, toPort, payload);
        var length = Stack.Udp.HeaderLength + payload.Length;
        Ipv4Packet.WriteHeader(frame[IpStart..], fromIp, toIp, Ipv4.Udp, ipId, length);
        return TransportStart + length;
    }

    /// <summary>An ICMP destination unreachable about <paramref name="offendingPacket"/> (its IPv4 header onward).</summary>
    public static int Unreachable(Span<byte> frame, MacAddress toMac, MacAddress fromMac, uint fromIp, uint toIp, ushort ipId,
        byte code, ReadOnlySpan<byte> offendingPacket)
    {
        Ethernet.WriteHeader(frame, toMac, fromMac, Ethernet.TypeIpv4);
        var length = Icmp.WriteUnreachable(frame[TransportStart..], code, offendingPacket);
        Ipv4Packet.WriteHeader(frame[IpStart..], fromIp, toIp, Ipv4.Icmp, ipId, length);
        return TransportStart + length;
    }

    public static int Arp(Span<byte> frame, MacAddress toMac, MacAddress fromMac, ushort operation, uint fromIp, uint toIp)
    {
        Ethernet.WriteHeader(frame, operation == Stack.Arp.OpRequest ? MacAddress.Broadcast : toMac, fromMac, Ethernet.TypeArp);
        Stack.Arp.Write(frame[Ethernet.HeaderLength..], operation, fromMac, fromIp, operation == Stack.Arp.OpRequest ? default : toMac, toIp);
        return Ethernet.HeaderLength + Stack.Arp.Length;
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Lethe.Machine.Network.Stack;

/// <summary>IPv4 addresses as host-order uints, and conversions at the edges.</summary>
public static class Ipv4
{
    public const byte Icmp = 1, Tcp = 6, Udp = 17;

    public static uint FromAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"not an IPv4 address: {address}", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress ToAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    public static bool IsBroadcastOrMulticast(uint address) => address == 0xffff_ffff || address >> 28 == 0xe;
}

/// <summary>A parsed IPv4 packet: unfragmented, header checksum verified, lengths consistent.</summary>
public readonly ref struct Ipv4Packet
{
    public const int HeaderLength = 20;

    public uint Source { get; init; }
    public uint Destination { get; init; }
    public byte Protocol { get; init; }
    /// <summary>The header and the first bytes of the payload, as an ICMP error quotes them.</summary>
    public ReadOnlySpan<byte> Packet { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    public static bool TryParse(ReadOnlySpan<byte> data, out Ipv4Packet packet)
    {
        packet = default;
        if (data.Length < HeaderLength || data[0] >> 4 != 4)
            return false;
        var headerLength = (data[0] & 0xf) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (headerLength < HeaderLength || totalLength < headerLength || totalLength > data.Length)
            return false;
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if ((fragment & 0x3fff) != 0) // more-fragments or an offset: fragments are not reassembled
            return false;
        if (Checksum.Compute(data[..headerLength]) != 0)
            return false;
        packet = new Ipv4Packet
        {
            Source = BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            Destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]),
            Protocol = data[9],
            Packet = data[..totalLength],
            Payload = data[headerLength..totalLength],
        };
        return true;
    }

    /// <summary>Writes a 20-byte header (DF set, TTL 64) with its checksum.</summary>
    public static void WriteHeader(Span<byte> header, uint source, uint destination, byte protocol, ushort id, int payloadLength)
    {
        header[0] = 0x45;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(HeaderLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], 0x4000);
        header[8] = 64;
        header[9] = protocol;
        header[10] = header[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], Checksum.Compute(header[..HeaderLength]));
    }
}

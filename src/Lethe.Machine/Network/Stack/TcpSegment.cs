using System.Buffers.Binary;

namespace Lethe.Machine.Network.Stack;

[Flags]
public enum TcpFlags : byte { None = 0, Fin = 1, Syn = 2, Rst = 4, Psh = 8, Ack = 16 }

/// <summary>A TCP segment as read from the guest (checksum not verified: the link is a socket and the guest
/// only hurts itself) or as handed to the connection in tests.</summary>
public readonly ref struct TcpSegment
{
    public const int HeaderLength = 20;

    public ushort SourcePort { get; init; }
    public ushort DestinationPort { get; init; }
    public uint Seq { get; init; }
    public uint Ack { get; init; }
    public TcpFlags Flags { get; init; }
    public ushort Window { get; init; }
    /// <summary>The MSS option of a SYN, or 0 when absent.</summary>
    public ushort Mss { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    public bool Has(TcpFlags flag) => (Flags & flag) != 0;

    /// <summary>The sequence space the segment occupies: its payload, plus one each for SYN and FIN.</summary>
    public int SequenceLength => Payload.Length + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0);

    public static bool TryParse(ReadOnlySpan<byte> data, out TcpSegment segment)
    {
        segment = default;
        if (data.Length < HeaderLength)
            return false;
        var headerLength = (data[12] >> 4) * 4;
        if (headerLength < HeaderLength || headerLength > data.Length)
            return false;
        var flags = (TcpFlags)(data[13] & 0x1f);
        segment = new TcpSegment
        {
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(data),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            Seq = BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            Ack = BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            Flags = flags,
            Window = BinaryPrimitives.ReadUInt16BigEndian(data[14..]),
            Mss = (flags & TcpFlags.Syn) != 0 ? ReadMss(data[HeaderLength..headerLength]) : (ushort)0,
            Payload = data[headerLength..],
        };
        return true;
    }

    private static ushort ReadMss(ReadOnlySpan<byte> options)
    {
        var i = 0;
        while (i < options.Length)
        {
            var kind = options[i];
            if (kind == 0)
                break;
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
                break;
            if (kind == 2 && options[i + 1] == 4)
                return BinaryPrimitives.ReadUInt16BigEndian(options[(i + 2)..]);
            i += options[i + 1];
        }
        return 0;
    }

    /// <summary>Writes header (with an MSS option when <paramref name="mss"/> is not 0), payload and checksum;
    /// returns the segment's length.</summary>
    public static int Write(Span<byte> segment, uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload)
    {
        var headerLength = mss != 0 ? HeaderLength + 4 : HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(segment[8..], ack);
        segment[12] = (byte)(headerLength / 4 << 4);
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment[14..], window);
        segment[16] = segment[17] = segment[18] = segment[19] = 0;
        if (mss != 0)
        {
            segment[20] = 2;
            segment[21] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(segment[22..], mss);
        }
        payload.CopyTo(segment[headerLength..]);
        var length = headerLength + payload.Length;
        var sum = Checksum.Add(Checksum.PseudoHeader(sourceIp, destinationIp, Ipv4.Tcp, length), segment[..length]);
        BinaryPrimitives.WriteUInt16BigEndian(segment[16..], Checksum.Fold(sum));
        return length;
    }
}

/// <summary>Sequence-number arithmetic modulo 2^32 (RFC 793 comparisons).</summary>
public static class Seq
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    public static bool Le(uint a, uint b) => (int)(a - b) <= 0;
    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    public static bool Ge(uint a, uint b) => (int)(a - b) >= 0;
}

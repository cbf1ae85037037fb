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
    /// <summary>The window scale option of a SYN (its shift), or -1 when absent.</summary>
    public int WindowScale { get; init; }
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
        var (mss, windowScale) = (flags & TcpFlags.Syn) != 0 ? ReadSynOptions(data[HeaderLength..headerLength]) : ((ushort)0, -1);
        segment = new TcpSegment
        {
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(data),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            Seq = BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            Ack = BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            Flags = flags,
            Window = BinaryPrimitives.ReadUInt16BigEndian(data[14..]),
            Mss = mss,
            WindowScale = windowScale,
            Payload = data[headerLength..],
        };
        return true;
    }

    private static (ushort Mss, int WindowScale) ReadSynOptions(ReadOnlySpan<byte> options)
    {
        ushort mss = 0;
        var windowScale = -1;
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
                mss = BinaryPrimitives.ReadUInt16BigEndian(options[(i + 2)..]);
            else if (kind == 3 && options[i + 1] == 3)
                windowScale = Math.Min((int)options[i + 2], 14); // RFC 7323: a larger shift is taken as 14
            i += options[i + 1];
        }
        return (mss, windowScale);
    }

    /// <summary>Writes header (with an MSS option when <paramref name="mss"/> is not 0, a window scale option when
    /// <paramref name="windowScale"/> is not -1), payload and checksum; returns the segment's length.</summary>
    public static int Write(Span<byte> segment, uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale = -1)
    {
        var headerLength = HeaderLength + (mss != 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(segment[8..], ack);
        segment[12] = (byte)(headerLength / 4 << 4);
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment[14..], window);
        segment[16] = segment[17] = segment[18] = segment[19] = 0;
        var option = HeaderLength;
        if (mss != 0)
        {
            segment[option] = 2;
            segment[option + 1] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(segment[(option + 2)..], mss);
            option += 4;
        }
        if (windowScale >= 0)
        {
            segment[option] = 1; // NOP, to keep the header 32-bit aligned
            segment[option + 1] = 3;
            segment[option + 2] = 3;
            segment[option + 3] = (byte)windowScale;
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

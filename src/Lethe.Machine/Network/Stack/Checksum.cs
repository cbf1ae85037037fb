using System.Buffers.Binary;

namespace Lethe.Machine.Network.Stack;

/// <summary>The Internet checksum (RFC 1071): ones' complement sum of big-endian 16-bit words.</summary>
public static class Checksum
{
    /// <summary>Adds <paramref name="data"/> to a running (unfolded) sum. Only the last piece may have odd length.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        var i = 0;
        // Summing 32-bit big-endian words into 64 bits defers every carry to the fold.
        for (; i + 4 <= data.Length; i += 4)
            sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        if (i + 2 <= data.Length)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return sum;
    }

    public static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Fold(Add(0, data));

    /// <summary>The IPv4 pseudo-header's contribution to a TCP or UDP checksum.</summary>
    public static ulong PseudoHeader(uint source, uint destination, byte protocol, int length) =>
        (ulong)(source >> 16) + (source & 0xffff) + (destination >> 16) + (destination & 0xffff) + protocol + (uint)length;
}

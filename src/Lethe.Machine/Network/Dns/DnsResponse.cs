using System.Buffers.Binary;
using System.Net;

namespace Lethe.Machine.Network.Dns;

/// <summary>Builds the responses lethe's resolver sends: the question echoed (re-encoded, never copied), then A records.</summary>
public static class DnsResponse
{
    public const byte NoError = 0, FormatError = 1, ServerFailure = 2, NameError = 3, NotImplemented = 4, Refused = 5;

    /// <summary>A response to <paramref name="query"/> with <paramref name="code"/> and the given A answers.</summary>
    public static byte[] For(DnsQuery query, byte code, IReadOnlyList<IPAddress>? addresses = null, uint ttlSeconds = 0)
    {
        addresses ??= [];
        var withQuestion = query.Outcome == DnsParseOutcome.Query;
        var question = withQuestion ? EncodeName(query.Name) : [];
        var buffer = new byte[DnsQuery.HeaderLength + (withQuestion ? question.Length + 4 : 0) + addresses.Count * 16];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, query.Id);
        // QR=1, opcode 0, RD copied, RA=1, then the response code.
        var flags = (ushort)(0x8000 | (query.RecursionDesired ? 0x0100 : 0) | 0x0080 | code);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)(withQuestion ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)addresses.Count);
        var position = DnsQuery.HeaderLength;
        if (withQuestion)
        {
            question.CopyTo(span[position..]);
            position += question.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[position..], query.Type);
            BinaryPrimitives.WriteUInt16BigEndian(span[(position + 2)..], query.Class);
            position += 4;
        }
        foreach (var address in addresses)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[position..], 0xC000 | DnsQuery.HeaderLength);
            BinaryPrimitives.WriteUInt16BigEndian(span[(position + 2)..], DnsQuery.TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(span[(position + 4)..], DnsQuery.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(span[(position + 6)..], ttlSeconds);
            BinaryPrimitives.WriteUInt16BigEndian(span[(position + 10)..], 4);
            address.MapToIPv4().TryWriteBytes(span[(position + 12)..], out _);
            position += 16;
        }
        return buffer;
    }

    /// <summary>Labels of the (already checked, at most 255 bytes) name; the root name is one zero byte.</summary>
    public static byte[] EncodeName(string name)
    {
        var output = new List<byte>();
        if (name.Length > 0)
            foreach (var label in name.Split('.'))
            {
                output.Add((byte)label.Length);
                output.AddRange(System.Text.Encoding.Latin1.GetBytes(label));
            }
        output.Add(0);
        return [.. output];
    }
}

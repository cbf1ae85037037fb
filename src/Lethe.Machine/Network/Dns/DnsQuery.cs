using System.Buffers.Binary;
using System.Text;

namespace Lethe.Machine.Network.Dns;

public enum DnsParseOutcome
{
    /// <summary>One question, read.</summary>
    Query,
    /// <summary>Too short to answer, or itself a response: dropped without a word.</summary>
    Drop,
    /// <summary>Answerable with FORMERR (or NOTIMP for another opcode).</summary>
    Error,
}

/// <summary>
/// A guest's DNS query, parsed: the header and its one question. The bytes are hostile: every length and
/// compression pointer is checked, pointers may only point backwards (so there is no loop), and a name
/// longer than 255 bytes is refused.
/// </summary>
public sealed record DnsQuery(DnsParseOutcome Outcome, ushort Id, bool RecursionDesired, string Name, ushort Type, ushort Class, byte ErrorCode, string Problem)
{
    public const int HeaderLength = 12;
    public const ushort TypeA = 1, TypeAaaa = 28, ClassIn = 1;
    private const int MaxNameLength = 255;

    public static DnsQuery Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
            return Dropped("shorter than a DNS header");
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var recursion = (flags & 0x0100) != 0;
        if ((flags & 0x8000) != 0)
            return Dropped("a response, not a query");
        var opcode = (flags >> 11) & 0xF;
        if (opcode != 0)
            return Failed(id, recursion, DnsResponse.NotImplemented, $"opcode {opcode}");
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        if (questions != 1)
            return Failed(id, recursion, DnsResponse.FormatError, $"{questions} questions");
        var position = HeaderLength;
        if (ReadName(message, ref position, out var problem) is not { } name)
            return Failed(id, recursion, DnsResponse.FormatError, problem);
        if (message.Length - position < 4)
            return Failed(id, recursion, DnsResponse.FormatError, "a question without its type and class");
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
        return new DnsQuery(DnsParseOutcome.Query, id, recursion, name, type, @class, 0, "");
    }

    /// <summary>The name at <paramref name="position"/>, with its labels joined by dots (bytes as Latin-1, not
    /// yet checked as a host name); <paramref name="position"/> ends after the name where it was written.</summary>
    private static string? ReadName(ReadOnlySpan<byte> message, ref int position, out string problem)
    {
        var name = new StringBuilder();
        var cursor = position;
        // Where the labels being read began: a pointer must land before it, and then becomes it, so each jump
        // goes strictly further back and the walk ends. (In a query's one question no pointer can qualify.)
        var segmentStart = position;
        var jumped = false;
        var length = 0;
        while (true)
        {
            if (cursor >= message.Length)
                return Fail("a name running past the message", out problem);
            var label = message[cursor];
            if (label == 0)
            {
                if (!jumped)
                    position = cursor + 1;
                problem = "";
                return name.ToString();
            }
            switch (label & 0xC0)
            {
                case 0xC0:
                    if (cursor + 1 >= message.Length)
                        return Fail("a compression pointer cut short", out problem);
                    var target = (label & 0x3F) << 8 | message[cursor + 1];
                    if (target >= segmentStart || target < HeaderLength)
                        return Fail("a compression pointer that does not point backwards", out problem);
                    if (!jumped)
                        position = cursor + 2;
                    jumped = true;
                    cursor = segmentStart = target;
                    continue;
                case 0x00:
                    break;
                default:
                    return Fail("an extended label type", out problem);
            }
            if (cursor + 1 + label > message.Length)
                return Fail("a label running past the message", out problem);
            if (message.Slice(cursor + 1, label).Contains((byte)'.'))
                return Fail("a label containing a dot", out problem);
            length += label + 1;
            if (length > MaxNameLength)
                return Fail("a name longer than 255 bytes", out problem);
            if (name.Length > 0)
                name.Append('.');
            name.Append(Encoding.Latin1.GetString(message.Slice(cursor + 1, label)));
            cursor += 1 + label;
        }
    }

    private static string? Fail(string text, out string problem)
    {
        problem = text;
        return null;
    }

    private static DnsQuery Dropped(string why) => new(DnsParseOutcome.Drop, 0, false, "", 0, 0, 0, why);

    private static DnsQuery Failed(ushort id, bool recursion, byte code, string why) =>
        new(DnsParseOutcome.Error, id, recursion, "", 0, 0, code, why);
}

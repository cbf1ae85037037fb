using System.Buffers.Binary;
using System.Text;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// Reads the server name (SNI) of a TLS ClientHello, which may span several handshake records.
/// The bytes are the guest's: every length is checked against what is there before it is used.
/// </summary>
public static class TlsClientHello
{
    public const byte HandshakeRecord = 22;
    private const string Protocol = "tls";
    private const byte ClientHelloType = 1;
    private const int MaxRecordLength = 16384 + 2048;
    private const int MaxHelloLength = 64 * 1024;
    private const ushort ServerNameExtension = 0;
    private const byte HostNameType = 0;

    public static FirstBytes Read(ReadOnlySpan<byte> bytes)
    {
        var handshake = new List<byte>();
        var position = 0;
        while (true)
        {
            if (TryHello(handshake, out var hello) is { } decided)
                return decided;
            if (hello is not null)
                return Parse(hello);
            if (bytes.Length - position < 5)
                return FirstBytes.NeedMore(Protocol);
            var header = bytes.Slice(position, 5);
            if (header[0] != HandshakeRecord)
                return FirstBytes.Malformed(Protocol, "a TLS record other than a handshake before the ClientHello ended");
            if (header[1] != 3)
                return FirstBytes.Malformed(Protocol, "not a TLS record version");
            var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (length is 0 or > MaxRecordLength)
                return FirstBytes.Malformed(Protocol, $"a TLS record of {length} bytes");
            var available = Math.Min(length, bytes.Length - position - 5);
            handshake.AddRange(bytes.Slice(position + 5, available));
            if (available < length)
                return TryHello(handshake, out hello) ?? (hello is null ? FirstBytes.NeedMore(Protocol) : Parse(hello));
            position += 5 + length;
        }
    }

    /// <summary>A decision (malformed) or the complete ClientHello body, or neither when more is needed.</summary>
    private static FirstBytes? TryHello(List<byte> handshake, out byte[]? hello)
    {
        hello = null;
        if (handshake.Count < 4)
            return null;
        if (handshake[0] != ClientHelloType)
            return FirstBytes.Malformed(Protocol, "the first handshake message is not a ClientHello");
        var length = handshake[1] << 16 | handshake[2] << 8 | handshake[3];
        if (length > MaxHelloLength)
            return FirstBytes.Malformed(Protocol, $"a ClientHello of {length} bytes");
        if (handshake.Count < 4 + length)
            return null;
        hello = [.. handshake.GetRange(4, length)];
        return null;
    }

    private static FirstBytes Parse(byte[] hello)
    {
        var reader = new SpanReader(hello);
        if (!reader.Skip(2 + 32) || !reader.TryVector(1, out _) || !reader.TryVector(2, out _) || !reader.TryVector(1, out _))
            return FirstBytes.Malformed(Protocol, "a truncated ClientHello");
        if (reader.Remaining == 0)
            return new FirstBytes(FirstBytesKind.NoName, null, "a ClientHello without extensions (no SNI)", Protocol);
        if (!reader.TryVector(2, out var extensions) || reader.Remaining != 0)
            return FirstBytes.Malformed(Protocol, "ClientHello extensions that do not fit");

        string? name = null;
        var extensionReader = new SpanReader(extensions);
        while (extensionReader.Remaining > 0)
        {
            if (!extensionReader.TryUInt16(out var type) || !extensionReader.TryVector(2, out var body))
                return FirstBytes.Malformed(Protocol, "a ClientHello extension that does not fit");
            if (type != ServerNameExtension)
                continue;
            if (name is not null)
                return FirstBytes.Malformed(Protocol, "two server_name extensions");
            if (ReadServerName(body) is not { } read)
                return FirstBytes.Malformed(Protocol, "a server_name extension that is not one host name");
            name = read;
        }
        if (name is null)
            return new FirstBytes(FirstBytesKind.NoName, null, "a ClientHello without SNI", Protocol);
        return Named(name, Protocol, "SNI");
    }

    private static string? ReadServerName(byte[] body)
    {
        var reader = new SpanReader(body);
        if (!reader.TryVector(2, out var list) || reader.Remaining != 0)
            return null;
        var entries = new SpanReader(list);
        string? name = null;
        while (entries.Remaining > 0)
        {
            if (!entries.TryByte(out var type) || !entries.TryVector(2, out var value))
                return null;
            if (type != HostNameType)
                continue;
            if (name is not null || value.Length == 0)
                return null;
            name = Encoding.Latin1.GetString(value);
        }
        return name;
    }

    /// <summary>A name the client sent, checked: a host name, never an address (a raw IP fronts for no name).</summary>
    internal static FirstBytes Named(string written, string protocol, string what)
    {
        var name = EgressRule.NormalizeName(written);
        if (Ipv4.TryParse(name, out _) || name.Contains(':'))
            return FirstBytes.Malformed(protocol, $"the {what} is an address, not a name");
        return EgressRule.IsValidName(name)
            ? new FirstBytes(FirstBytesKind.Name, name, $"{what} {name}", protocol)
            : FirstBytes.Malformed(protocol, $"the {what} is not a host name");
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _rest = span;

        public readonly int Remaining => _rest.Length;

        public bool Skip(int count)
        {
            if (_rest.Length < count)
                return false;
            _rest = _rest[count..];
            return true;
        }

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_rest.Length < 1)
                return false;
            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        public bool TryUInt16(out ushort value)
        {
            value = 0;
            if (_rest.Length < 2)
                return false;
            value = BinaryPrimitives.ReadUInt16BigEndian(_rest);
            _rest = _rest[2..];
            return true;
        }

        /// <summary>A length-prefixed vector (TLS's opaque&lt;..&gt;) with a 1- or 2-byte length.</summary>
        public bool TryVector(int lengthBytes, out byte[] value)
        {
            value = [];
            int length;
            if (lengthBytes == 1 && TryByte(out var shortLength))
                length = shortLength;
            else if (lengthBytes == 2 && TryUInt16(out var longLength))
                length = longLength;
            else
                return false;
            if (_rest.Length < length)
                return false;
            value = _rest[..length].ToArray();
            _rest = _rest[length..];
            return true;
        }
    }
}

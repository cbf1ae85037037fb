using System.Globalization;

namespace Lethe.Machine.Network.Stack;

/// <summary>A 48-bit Ethernet address, kept in the low bits of a ulong (first octet most significant).</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static readonly MacAddress Broadcast = new(0xffff_ffff_ffffUL);

    public static MacAddress Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
            throw new FormatException($"not a MAC address: {text}");
        ulong value = 0;
        foreach (var part in parts)
            value = value << 8 | byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new MacAddress(value);
    }

    public static MacAddress Read(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (var i = 0; i < 6; i++)
            value = value << 8 | bytes[i];
        return new MacAddress(value);
    }

    public void Write(Span<byte> bytes)
    {
        for (var i = 0; i < 6; i++)
            bytes[i] = (byte)(Value >> (40 - 8 * i));
    }

    public bool IsMulticast => (Value >> 40 & 1) != 0;

    public override string ToString()
    {
        var value = Value;
        return string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(value >> (40 - 8 * i))).ToString("x2", CultureInfo.InvariantCulture)));
    }
}

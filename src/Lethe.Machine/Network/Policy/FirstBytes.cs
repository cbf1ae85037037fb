namespace Lethe.Machine.Network.Policy;

public enum FirstBytesKind
{
    /// <summary>Too few bytes yet to tell.</summary>
    NeedMore,
    /// <summary>The name the client asked for (SNI or Host), normalised.</summary>
    Name,
    /// <summary>A complete message that names no host (a ClientHello without SNI).</summary>
    NoName,
    /// <summary>Not what it claims to be, or ambiguous (two SNIs, two Host headers).</summary>
    Malformed,
    /// <summary>Neither a TLS ClientHello nor an HTTP request.</summary>
    Unknown,
}

/// <summary>What the first bytes of a guest connection say about the host it wants.</summary>
public sealed record FirstBytes(FirstBytesKind Kind, string? Name, string Detail, string Protocol)
{
    public static FirstBytes NeedMore(string protocol) => new(FirstBytesKind.NeedMore, null, "", protocol);
    public static FirstBytes Malformed(string protocol, string detail) => new(FirstBytesKind.Malformed, null, detail, protocol);

    /// <summary>Tells TLS from HTTP by the first byte, then reads the name. Pure; bounds-checked throughout.</summary>
    public static FirstBytes Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return NeedMore("unknown");
        if (bytes[0] == TlsClientHello.HandshakeRecord)
            return TlsClientHello.Read(bytes);
        if (HttpRequestHost.LooksLikeHttp(bytes))
            return HttpRequestHost.Read(bytes);
        return new FirstBytes(FirstBytesKind.Unknown, null, "neither a TLS ClientHello nor an HTTP request", "unknown");
    }
}

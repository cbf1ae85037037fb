using System.Text;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// Reads the host an HTTP/1.x request names: its Host header, which must be the only one, and agree with an
/// absolute request target. Anything a server might read differently from this parser is refused, not guessed.
/// </summary>
public static class HttpRequestHost
{
    private const string Protocol = "http";
    private const int MaxMethodLength = 16;

    /// <summary>An uppercase method token so far (GET, POST, ...), followed by a space once there are enough bytes.</summary>
    public static bool LooksLikeHttp(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length && i <= MaxMethodLength; i++)
        {
            if (bytes[i] == ' ')
                return i > 0;
            if (bytes[i] is < (byte)'A' or > (byte)'Z')
                return false;
        }
        return bytes.Length <= MaxMethodLength;
    }

    public static FirstBytes Read(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return bytes.IndexOf("\n\n"u8) >= 0
                ? FirstBytes.Malformed(Protocol, "header lines not ended by CRLF")
                : FirstBytes.NeedMore(Protocol);
        var head = bytes[..end];
        foreach (var b in head)
            if (b is > 0x7e || (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t'))
                return FirstBytes.Malformed(Protocol, "a control or non-ASCII byte in the request head");
        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        if (lines.Any(line => line.Contains('\n') || line.Contains('\r')))
            return FirstBytes.Malformed(Protocol, "a bare CR or LF in the request head");

        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            return FirstBytes.Malformed(Protocol, "not an HTTP/1.x request line");
        if (requestLine[0] == "CONNECT")
            return FirstBytes.Malformed(Protocol, "CONNECT (a proxy request)");

        string? host = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0 || line[0] is ' ' or '\t')
                return FirstBytes.Malformed(Protocol, "a folded or empty header line");
            var colon = line.IndexOf(':');
            if (colon <= 0 || line[..colon].Any(c => c is ' ' or '\t'))
                return FirstBytes.Malformed(Protocol, "a header line without a plain name");
            if (!line[..colon].Equals("host", StringComparison.OrdinalIgnoreCase))
                continue;
            if (host is not null)
                return FirstBytes.Malformed(Protocol, "two Host headers");
            host = line[(colon + 1)..].Trim(' ', '\t');
        }
        if (host is null)
            return new FirstBytes(FirstBytesKind.NoName, null, "an HTTP request without a Host header", Protocol);
        if (HostWithoutPort(host) is not { } hostName)
            return FirstBytes.Malformed(Protocol, "a Host header that is not host[:port]");

        var target = requestLine[1];
        if (!target.StartsWith('/') && target != "*")
        {
            var authority = AbsoluteTargetHost(target);
            if (authority is null || !string.Equals(authority, hostName, StringComparison.OrdinalIgnoreCase))
                return FirstBytes.Malformed(Protocol, "a request target whose host differs from the Host header");
        }
        return TlsClientHello.Named(hostName, Protocol, "Host");
    }

    private static string? HostWithoutPort(string host)
    {
        if (host.Length == 0 || host.Contains('[') || host.Contains('@'))
            return null;
        var colon = host.IndexOf(':');
        if (colon < 0)
            return host;
        var port = host[(colon + 1)..];
        return port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) ? host[..colon] : null;
    }

    private static string? AbsoluteTargetHost(string target)
    {
        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
            return null;
        var rest = target[(scheme + 3)..];
        var slash = rest.IndexOfAny(['/', '?', '#']);
        return HostWithoutPort(slash < 0 ? rest : rest[..slash]);
    }
}

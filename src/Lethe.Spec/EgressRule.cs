using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lethe.Spec;

public enum EgressRuleKind
{
    /// <summary>One host name: "github.com".</summary>
    Name,
    /// <summary>"*.debian.org": every name below debian.org, not debian.org itself.</summary>
    Wildcard,
    /// <summary>An IPv4 address or CIDR block: "140.82.112.0/20", "10.1.2.3".</summary>
    Network,
}

/// <summary>
/// One HOST[:PORT] of the spec's network section or of <c>lethe net allow/deny</c>, normalised: names in
/// lowercase without a trailing dot, a wildcard stored without its "*.", a network as address and prefix.
/// <see cref="Port"/> null means "the default ports": 80 and 443 for a name allowed in egress, every port
/// for an address or network, and every port for a deny rule.
/// </summary>
public sealed record EgressRule(EgressRuleKind Kind, string? Name, uint Network, int PrefixLength, int? Port)
{
    public static readonly IReadOnlyList<int> WebPorts = [80, 443];

    public bool IsAddressRule => Kind == EgressRuleKind.Network;

    /// <summary>Whether this rule names <paramref name="name"/> (already normalised).</summary>
    public bool CoversName(string name) => Kind switch
    {
        EgressRuleKind.Name => name == Name,
        EgressRuleKind.Wildcard => name.Length > Name!.Length + 1 && name.EndsWith("." + Name, StringComparison.Ordinal),
        _ => false,
    };

    public bool CoversAddress(IPAddress address) =>
        Kind == EgressRuleKind.Network && Ipv4.TryToUInt(address, out var value) && (value & Ipv4.Mask(PrefixLength)) == Network;

    /// <summary>A portless rule covers the web ports when <paramref name="portlessMeansWeb"/>, else every port.</summary>
    public bool CoversPort(int port, bool portlessMeansWeb) =>
        Port is { } own ? own == port : !portlessMeansWeb || WebPorts.Contains(port);

    /// <summary>Whether a connection allowed by this name rule must show its name (SNI or Host): the default ports do.</summary>
    public bool NeedsInspection => Kind != EgressRuleKind.Network && Port is null;

    public override string ToString()
    {
        var host = Kind switch
        {
            EgressRuleKind.Name => Name!,
            EgressRuleKind.Wildcard => "*." + Name,
            _ => PrefixLength == 32 ? Ipv4.Text(Network) : $"{Ipv4.Text(Network)}/{PrefixLength}",
        };
        return Port is { } port ? $"{host}:{port}" : host;
    }

    /// <summary>Parses HOST[:PORT]; on failure <paramref name="error"/> says why in a few words.</summary>
    public static bool TryParse(string text, out EgressRule rule, out string error)
    {
        rule = null!;
        text = text.Trim();
        if (text.Length == 0)
            return Fail("is empty", out error);
        if (text.Contains('[') || text.Count(c => c == ':') > 1)
            return Fail("is IPv6; lethe's network is IPv4 only", out error);

        int? port = null;
        var host = text;
        var colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            host = text[..colon];
            var portText = text[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
                return Fail($"has port '{portText}'; a port is 1..65535", out error);
            port = number;
        }

        var slash = host.IndexOf('/');
        if (slash >= 0)
            return TryParseNetwork(host[..slash], host[(slash + 1)..], port, out rule, out error);
        if (Ipv4.TryParse(host, out var single))
        {
            rule = new EgressRule(EgressRuleKind.Network, null, single, 32, port);
            error = "";
            return true;
        }
        if (host.Length > 0 && host.TrimEnd('.').Split('.').All(label => label.Length > 0 && label.All(char.IsAsciiDigit)))
            return Fail("is not an IPv4 address (four numbers 0..255)", out error);

        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        var name = NormalizeName(wildcard ? host[2..] : host);
        if (!IsValidName(name))
            return Fail(wildcard
                ? "is not a wildcard like \"*.example.com\""
                : "is not a host name, \"*.domain\", IPv4 address or CIDR", out error);
        rule = new EgressRule(wildcard ? EgressRuleKind.Wildcard : EgressRuleKind.Name, name, 0, 0, port);
        error = "";
        return true;
    }

    /// <summary>Lowercase, without the trailing dot: "GitHub.com." and "github.com" are one name.</summary>
    public static string NormalizeName(string name)
    {
        name = name.ToLowerInvariant();
        return name.EndsWith('.') ? name[..^1] : name;
    }

    /// <summary>
    /// Letters, digits, '-' and '_' in labels of 1..63 that neither start nor end with '-', at most 253 in all
    /// (a normalised name). The last label is no number ("127.1", "0x7f.1"): the C library reads those as addresses.
    /// </summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 253)
            return false;
        var labels = name.Split('.');
        var last = labels[^1];
        if (last.All(char.IsAsciiDigit) || (last.StartsWith("0x", StringComparison.Ordinal) && last[2..].All(char.IsAsciiHexDigit)))
            return false;
        return labels.All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'));
    }

    private static bool TryParseNetwork(string address, string prefix, int? port, out EgressRule rule, out string error)
    {
        rule = null!;
        if (!Ipv4.TryParse(address, out var network))
            return Fail("is not a CIDR like 140.82.112.0/20", out error);
        if (!int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > 32)
            return Fail($"has prefix length '{prefix}'; it is 0..32", out error);
        if ((network & ~Ipv4.Mask(length)) != 0)
            return Fail($"has bits set outside its /{length} (did you mean {Ipv4.Text(network & Ipv4.Mask(length))}/{length}?)", out error);
        rule = new EgressRule(EgressRuleKind.Network, null, network, length, port);
        error = "";
        return true;
    }

    private static bool Fail(string reason, out string error)
    {
        error = reason;
        return false;
    }
}

/// <summary>IPv4 addresses as 32-bit numbers, for prefixes and ranges.</summary>
public static class Ipv4
{
    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);

    public static bool TryToUInt(IPAddress address, out uint value)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        value = 0;
        if (address.AddressFamily != AddressFamily.InterNetwork)
            return false;
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        value = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        return true;
    }

    public static IPAddress ToAddress(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    public static string Text(uint value) => $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";

    /// <summary>Strictly four decimal numbers 0..255 (no "1.2.3", no octal "010", no hex): what people mean.</summary>
    public static bool TryParse(string text, out uint value)
    {
        value = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
                return false;
            var number = int.Parse(part, CultureInfo.InvariantCulture);
            if (number > 255)
                return false;
            value = value << 8 | (uint)number;
        }
        return true;
    }
}

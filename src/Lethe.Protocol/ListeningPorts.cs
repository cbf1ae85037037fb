using System.Globalization;

namespace Lethe.Protocol;

/// <summary>
/// Pure: the guest's listening TCP ports, for forward: auto. The guest reads them from /proc/net/tcp and
/// /proc/net/tcp6; the host takes them from a <see cref="MessageTypes.Listening"/> message, which a hostile
/// guest may fill with anything, so the host accepts only a short list of real port numbers.
/// </summary>
public static class ListeningPorts
{
    /// <summary>The most ports one report carries; a guest that listens on more reports the lowest.</summary>
    public const int MaxPorts = 64;

    private const string ListenState = "0A";

    /// <summary>
    /// The ports of LISTEN sockets in one /proc/net/tcp (<paramref name="ipv6"/> false) or /proc/net/tcp6 table
    /// that IPv4 can reach: any IPv4 address, and IPv6's any (::) or an IPv4-mapped address. A socket only on
    /// ::1 or another IPv6 address is left out (the network is IPv4 only). Lines that do not parse are skipped.
    /// </summary>
    public static IEnumerable<int> InTable(string table, bool ipv6)
    {
        foreach (var line in table.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "sl local_address rem_address st ...": the header's second field is not an address.
            if (fields.Length < 4 || fields[3] != ListenState || fields[1].Split(':') is not [var address, var portHex])
                continue;
            if (!int.TryParse(portHex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || portHex.Length != 4)
                continue;
            if (ipv6 ? ReachableOverIpv4(address) : address.Length == 8 && IsHex(address))
                yield return port;
        }
    }

    /// <summary>
    /// The report to send: distinct, in order, without ports in the kernel's ephemeral range (a port the kernel
    /// chose, not one a user asked for), at most <see cref="MaxPorts"/>.
    /// </summary>
    public static IReadOnlyList<int> Report(IEnumerable<int> ports, int ephemeralLow, int ephemeralHigh) =>
        [.. ports.Where(p => p is >= 1 and <= 65535 && (p < ephemeralLow || p > ephemeralHigh)).Distinct().Order().Take(MaxPorts)];

    /// <summary>"32768\t60999" (/proc/sys/net/ipv4/ip_local_port_range); Linux's default when it does not parse.</summary>
    public static (int Low, int High) EphemeralRange(string text) =>
        text.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is [var low, var high]
        && int.TryParse(low, CultureInfo.InvariantCulture, out var l) && int.TryParse(high, CultureInfo.InvariantCulture, out var h) && l <= h
            ? (l, h)
            : (32768, 60999);

    /// <summary>
    /// Host side: the ports of a listening message, distinct and in order; null when the message is not a
    /// well-formed report (no list, more than <see cref="MaxPorts"/>, or a number that is not a port).
    /// </summary>
    public static IReadOnlyList<int>? FromMessage(ControlMessage message)
    {
        if (message.Type != MessageTypes.Listening || message.Ports is not { } ports || ports.Count > MaxPorts)
            return null;
        if (ports.Any(p => p is < 1 or > 65535))
            return null;
        return [.. ports.Distinct().Order()];
    }

    private static bool ReachableOverIpv4(string address)
    {
        if (address.Length != 32 || !IsHex(address))
            return false;
        // Four 32-bit words, each printed in the kernel's (little-endian) byte order.
        return address == "00000000000000000000000000000000"
            || address.StartsWith("0000000000000000FFFF0000", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigit);
}

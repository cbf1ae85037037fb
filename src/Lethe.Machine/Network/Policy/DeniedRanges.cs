using System.Net;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// Where a guest may never go unless the spec's allow (or an explicit address rule in egress) says so:
/// the host itself, private and shared ranges, link-local (cloud metadata), multicast and reserved space.
/// Pure: the host's own addresses are given, not looked up.
/// </summary>
public sealed class DeniedRanges(IReadOnlyList<IPAddress> hostAddresses)
{
    private static readonly (uint Network, int Prefix, string Why)[] Ranges =
    [
        (Parse("0.0.0.0"), 8, "\"this\" network (0.0.0.0/8)"),
        (Parse("127.0.0.0"), 8, "the host's loopback (127.0.0.0/8)"),
        (Parse("10.0.0.0"), 8, "a private range (10.0.0.0/8)"),
        (Parse("172.16.0.0"), 12, "a private range (172.16.0.0/12)"),
        (Parse("192.168.0.0"), 16, "a private range (192.168.0.0/16)"),
        (Parse("100.64.0.0"), 10, "carrier-grade NAT (100.64.0.0/10)"),
        (Parse("169.254.0.0"), 16, "link-local, cloud metadata (169.254.0.0/16)"),
        (Parse("224.0.0.0"), 4, "multicast (224.0.0.0/4)"),
        (Parse("240.0.0.0"), 4, "reserved (240.0.0.0/4)"),
        (Parse("255.255.255.255"), 32, "broadcast (255.255.255.255)"),
    ];

    private readonly HashSet<uint> _host = [.. hostAddresses.Select(a => Ipv4.TryToUInt(a, out var v) ? v : (uint?)null).OfType<uint>()];

    /// <summary>The denied range <paramref name="address"/> is in, or null when it is in none. Non-IPv4 is always denied.</summary>
    public DeniedRange? Find(IPAddress address)
    {
        if (!Ipv4.TryToUInt(address, out var value))
            return new DeniedRange("not IPv4 (lethe's network is IPv4 only)", 0);
        if (_host.Contains(value))
            return new DeniedRange("one of the host's own addresses", 32);
        foreach (var (network, prefix, why) in Ranges)
            if ((value & Ipv4.Mask(prefix)) == network)
                return new DeniedRange(why, prefix);
        return null;
    }

    private static uint Parse(string text) => Ipv4.TryParse(text, out var value) ? value : throw new ArgumentException(text);
}

/// <param name="Why">What the range is, for the log.</param>
/// <param name="PrefixLength">Its size: an egress rule exempts an address only when it lies wholly inside the
/// range (so "0.0.0.0/0" in egress does not open the host's loopback; allow does).</param>
public sealed record DeniedRange(string Why, int PrefixLength);

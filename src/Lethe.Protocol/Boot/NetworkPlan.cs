using System.Net;

namespace Lethe.Protocol.Boot;

/// <summary>What the guest sets up on its network interface, from the seed: addresses, route and kernel settings.</summary>
public sealed record InterfacePlan(string Name, IPAddress Address, IPAddress Netmask, IPAddress Gateway, IReadOnlyList<KernelSetting> Settings);

/// <summary>One sysctl: <see cref="Path"/> is its file under /proc/sys.</summary>
public sealed record KernelSetting(string Path, string Value);

/// <summary>
/// Pure: the guest's network configuration. The interface is the one with <see cref="NetworkLayout.GuestMac"/>
/// (whatever the kernel named it); it gets <see cref="NetworkLayout"/>'s fixed addresses statically and a
/// default route via the gateway. IPv6 is switched off on it (the gateway carries only IPv4); the loopback
/// keeps ::1. route_localnet lets connections that the host's forwards open to the guest's 127.0.0.1
/// arrive, so that a service bound to the guest's loopback can be forwarded too.
/// </summary>
public static class NetworkPlan
{
    /// <summary>The modules a network needs; the module table brings virtio_net's own dependencies (net_failover, failover).</summary>
    public static readonly IReadOnlyList<string> Modules = ["virtio_net"];

    /// <summary>How long the guest waits for the interface to appear after loading its driver.</summary>
    public static readonly TimeSpan InterfaceDeadline = TimeSpan.FromSeconds(10);

    public const string ResolvConf = "/etc/resolv.conf";

    /// <summary>What resolv.conf says in a machine without a network: no server, so nothing answers.</summary>
    public const string NoNetworkResolvConf = "# lethe: this machine has no network (network.mode: none)\n";

    public static string ResolvConfContent(NetworkSeed? network) =>
        network is null ? NoNetworkResolvConf : $"# lethe: names are answered by lethe on the host, under the machine's network policy\nnameserver {NetworkLayout.Dns}\n";

    /// <summary>
    /// Replaces the root's resolv.conf, whatever the image had there (a link to systemd-resolved's file
    /// is removed, never followed), with a new root-owned file.
    /// </summary>
    public static IReadOnlyList<BootStep> Resolver(NetworkSeed? network) =>
    [
        new RemoveEntry(ResolvConf, "/etc"),
        new WriteNewFile(ResolvConf, new Ownership(0, 0, 0b110_100_100), ResolvConfContent(network)),
    ];

    /// <summary>
    /// The interface with the guest's MAC among (name, /sys/class/net/NAME/address) pairs; null when none has it.
    /// Names the kernel would not give (empty, ".", "..", with '/' or over 15 bytes) are never returned.
    /// </summary>
    public static string? FindInterface(IEnumerable<(string Name, string Address)> interfaces) =>
        interfaces.Where(i => IsInterfaceName(i.Name) && string.Equals(i.Address.Trim(), NetworkLayout.GuestMac, StringComparison.OrdinalIgnoreCase))
            .Select(i => i.Name).FirstOrDefault();

    public static InterfacePlan For(string interfaceName)
    {
        if (!IsInterfaceName(interfaceName))
            throw new ArgumentException($"not an interface name: {interfaceName}", nameof(interfaceName));
        return new InterfacePlan(interfaceName, NetworkLayout.Guest, Netmask(NetworkLayout.PrefixLength), NetworkLayout.Gateway,
        [
            new($"/proc/sys/net/ipv6/conf/{interfaceName}/disable_ipv6", "1"),
            new("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"),
            new("/proc/sys/net/ipv4/conf/all/route_localnet", "1"),
            new($"/proc/sys/net/ipv4/conf/{interfaceName}/route_localnet", "1"),
        ]);
    }

    public static IPAddress Netmask(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        return new IPAddress([(byte)(mask >> 24), (byte)(mask >> 16), (byte)(mask >> 8), (byte)mask]);
    }

    private static bool IsInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name is not ("." or "..") && !name.Contains('/') && name.All(c => c > ' ' && c < 127);
}

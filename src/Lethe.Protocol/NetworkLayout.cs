using System.Net;

namespace Lethe.Protocol;

/// <summary>
/// The guest's network, fixed: the same addresses as QEMU's user networking, so that one guest
/// configuration fits lethe's gateway and QEMU's own (which lethe bench net compares it with).
/// The gateway address stands for the host's loopback, as in QEMU's user networking, but reaching
/// it is a policy decision like any other: denied unless the spec's allow lists 127.0.0.1.
/// </summary>
public static class NetworkLayout
{
    public static readonly IPAddress Guest = IPAddress.Parse("10.0.2.15");
    public const int PrefixLength = 24;
    public static readonly IPAddress Gateway = IPAddress.Parse("10.0.2.2");
    public static readonly IPAddress Dns = IPAddress.Parse("10.0.2.3");
    /// <summary>What <see cref="Gateway"/> stands for on the host.</summary>
    public static readonly IPAddress HostLoopback = IPAddress.Loopback;
    public const string GuestMac = "52:54:00:12:34:56";
    public const string GatewayMac = "52:55:0a:00:02:02";
    /// <summary>An MTU that leaves room for nothing but Ethernet: the link is a socket, not a wire.</summary>
    public const int Mtu = 1500;
}

using System.Net;
using Lethe.Core;
using Lethe.Protocol;

namespace Lethe.Machine.Network.Gateway;

public sealed record GatewayOptions
{
    /// <summary>Concurrent TCP connections (both ways); a guest SYN beyond it is reset, a forward beyond it closed.</summary>
    public int MaxConnections { get; init; } = 256;
    /// <summary>A connection with no byte either way for this long is reset on both sides.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>An inspected connection whose first bytes reach this many without a verdict is denied.</summary>
    public int InspectLimitBytes { get; init; } = 16384;
    /// <summary>An inspected connection still without a verdict this long after its handshake is denied.</summary>
    public TimeSpan InspectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A host connect still pending after this long is given up and the guest reset.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Where forwarded connections go inside the guest: its own address, or 127.0.0.1 when the guest
    /// accepts loopback-addressed packets on eth0 (route_localnet) so that loopback listeners are reachable.</summary>
    public IPAddress ForwardTargetAddress { get; init; } = NetworkLayout.Guest;
}

public enum ForwardOrigin { Spec, Auto }

public sealed record PortForward(int HostPort, int GuestPort, ForwardOrigin Origin);

/// <summary>A forward's host port could not be bound (taken, or not allowed): exit 3, one line.</summary>
public sealed class ForwardUnavailableException(int hostPort, string reason)
    : LetheException($"cannot forward 127.0.0.1:{hostPort}: {reason}", ExitCodes.HostCannot)
{
    public int HostPort { get; } = hostPort;
}

using System.Net.Sockets;

namespace Lethe.Machine.Network.Gateway;

/// <summary>Everything that reaches the frame loop, which alone owns the stack's state.</summary>
internal abstract record GatewayEvent;

/// <summary>Whole frames in QEMU's framing, in a pooled buffer the loop returns.</summary>
internal sealed record FramesArrived(byte[] Buffer, int Length) : GatewayEvent;

internal sealed record LinkClosed : GatewayEvent;

internal sealed record HostConnected(RelayedConnection Connection, Exception? Error) : GatewayEvent;

/// <summary>Bytes the host sent (a pooled buffer the loop returns); 0 means it finished sending.</summary>
internal sealed record HostData(RelayedConnection Connection, byte[] Buffer, int Length) : GatewayEvent;

internal sealed record HostWritten(RelayedConnection Connection, int Length) : GatewayEvent;

internal sealed record HostFailed(RelayedConnection Connection) : GatewayEvent;

internal sealed record DnsAnswered(uint GuestIp, ushort GuestPort, byte[]? Answer) : GatewayEvent;

internal sealed record ForwardAccepted(Socket Client, int GuestPort) : GatewayEvent;

internal sealed record TimerTick : GatewayEvent;

using System.Net;

namespace Lethe.Machine.Network;

/// <summary>One guest connection or datagram, as the gateway sees it. <see cref="Destination"/> is the
/// host-side address: the gateway address is already translated to the host's loopback.</summary>
public sealed record Flow(long Id, IPAddress Destination, int Port, FlowProtocol Protocol);

public enum FlowProtocol { Tcp, Udp }

/// <summary>What to do with a guest's TCP SYN.</summary>
public enum ConnectVerdict
{
    /// <summary>Connect upstream and relay.</summary>
    Allow,
    /// <summary>Answer the guest with a reset at once.</summary>
    Deny,
    /// <summary>Connect upstream, complete the guest's handshake, then hold the guest's first bytes until
    /// <see cref="IGatewayPolicy.DecideFirstBytes"/> allows them (TLS SNI, HTTP Host).</summary>
    Inspect,
}

public sealed record ConnectDecision(ConnectVerdict Verdict, string Reason);

public enum InspectVerdict { Allow, Deny, NeedMore }

public sealed record InspectDecision(InspectVerdict Verdict, string Reason);

/// <summary>
/// The egress policy as the gateway asks it. The gateway (the packet side) knows no names and no rules;
/// the policy knows no packets. The policy also keeps the decision log.
/// </summary>
public interface IGatewayPolicy
{
    /// <summary>A DNS query the guest sent to <c>NetworkLayout.Dns</c> port 53 (the UDP payload). Returns the
    /// response payload, or null to drop it.</summary>
    ValueTask<byte[]?> AnswerDnsAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken);

    ConnectDecision DecideConnect(Flow flow);

    /// <summary>Called with everything the guest has sent so far on an <see cref="ConnectVerdict.Inspect"/>
    /// connection, until it returns Allow or Deny. The gateway denies by itself past 16 KiB or 10 s.</summary>
    InspectDecision DecideFirstBytes(Flow flow, ReadOnlySpan<byte> firstBytes);

    /// <summary>A guest datagram other than DNS: always refused (ICMP port unreachable); recorded.</summary>
    void UdpRefused(Flow flow);

    /// <summary>An allowed connection ended; the byte counts are the payload each way.</summary>
    void Closed(Flow flow, long bytesFromGuest, long bytesToGuest);
}

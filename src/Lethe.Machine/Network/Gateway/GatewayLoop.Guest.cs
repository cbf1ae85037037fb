using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lethe.Machine.Network.Stack;
using Lethe.Protocol;

namespace Lethe.Machine.Network.Gateway;

/// <summary>What the guest sends: each frame is parsed and answered, or dropped without a word when malformed.</summary>
internal sealed partial class GatewayLoop
{
    private const int MaxDnsInFlight = 64;
    private static readonly uint GatewayIp = Ipv4.FromAddress(NetworkLayout.Gateway);
    private static readonly uint DnsIp = Ipv4.FromAddress(NetworkLayout.Dns);
    private static readonly uint GuestNetwork = Ipv4.FromAddress(NetworkLayout.Guest) & NetworkMask;
    private const uint NetworkMask = ~0u << (32 - NetworkLayout.PrefixLength);

    /// <summary>Frames or events whose handling threw and that were dropped for it; the tests expect none.</summary>
    public int Faults { get; private set; }

    private void OnFrames(ReadOnlySpan<byte> frames)
    {
        while (frames.Length >= 4)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(frames);
            try
            {
                OnFrame(frames.Slice(4, length));
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
            {
                // A frame the parsers should have refused: drop it rather than the guest's whole network.
                Faults++;
            }
            frames = frames[(4 + length)..];
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        if (!Ethernet.TryParse(frame, out _, out var sourceMac, out var type, out var payload) || sourceMac.IsMulticast)
            return;
        if (type == Ethernet.TypeArp)
        {
            if (Arp.TryParse(payload, out var operation, out var senderMac, out var senderIp, out var targetIp)
                && operation == Arp.OpRequest && (targetIp == GatewayIp || targetIp == DnsIp))
            {
                Output.GuestMac = sourceMac;
                Output.ArpReply(senderMac, targetIp, senderIp);
            }
            return;
        }
        if (type != Ethernet.TypeIpv4 || !Ipv4Packet.TryParse(payload, out var packet))
            return; // IPv6 and everything else: dropped
        Output.GuestMac = sourceMac;
        switch (packet.Protocol)
        {
            case Ipv4.Tcp:
                if (TcpSegment.TryParse(packet.Payload, out var segment))
                    OnTcp(packet, segment);
                break;
            case Ipv4.Udp:
                if (Udp.TryParse(packet.Payload, out var sourcePort, out var destinationPort, out var datagram))
                    OnUdp(packet, sourcePort, destinationPort, datagram);
                break;
            default:
                // ICMP echo and any other protocol: refused as administratively prohibited, never relayed.
                if (!Ipv4.IsBroadcastOrMulticast(packet.Destination)
                    && !(packet.Protocol == Ipv4.Icmp && packet.Payload.Length > 0 && packet.Payload[0] == Icmp.DestinationUnreachable))
                    Output.Unreachable(packet.Destination, packet.Source, Icmp.CodeAdministrativelyProhibited, packet.Packet);
                break;
        }
    }

    private void OnUdp(in Ipv4Packet packet, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> datagram)
    {
        if (packet.Destination == DnsIp && destinationPort == 53)
        {
            if (_dnsInFlight < MaxDnsInFlight)
            {
                _dnsInFlight++;
                _ = AnswerDnsAsync(packet.Source, sourcePort, datagram.ToArray());
            }
            return;
        }
        if (Ipv4.IsBroadcastOrMulticast(packet.Destination) || (packet.Destination & ~NetworkMask) == ~NetworkMask)
            return; // DHCP, mDNS and the like: nobody to refuse them to
        try
        {
            _policy.UdpRefused(new Flow(++_nextFlowId, HostAddress(packet.Destination), destinationPort, FlowProtocol.Udp));
        }
        catch (Exception)
        {
            // the refusal stands whether or not the log took it
        }
        Output.Unreachable(packet.Destination, packet.Source, Icmp.CodePortUnreachable, packet.Packet);
    }

    private async Task AnswerDnsAsync(uint guestIp, ushort guestPort, byte[] query)
    {
        byte[]? answer = null;
        try
        {
            answer = await _policy.AnswerDnsAsync(query, _stopping);
        }
        catch (Exception)
        {
            // no answer: the guest's resolver retries or gives up
        }
        Post(new DnsAnswered(guestIp, guestPort, answer));
    }

    private void OnTcp(in Ipv4Packet packet, in TcpSegment segment)
    {
        var key = new ConnectionKey(packet.Source, segment.SourcePort, packet.Destination, segment.DestinationPort);
        if (_connections.TryGetValue(key, out var connection))
        {
            OnConnectionSegment(connection, segment);
            return;
        }
        if (segment.Has(TcpFlags.Rst))
            return;
        if (segment.Flags.HasFlag(TcpFlags.Syn) && !segment.Has(TcpFlags.Ack))
            OnGuestSyn(key, segment);
        else
            ResetUnknown(key, segment);
    }

    private void ResetUnknown(ConnectionKey key, in TcpSegment segment)
    {
        var (seq, ack, flags) = TcpConnection.ResetFor(segment);
        Output.Tcp(key.RemoteIp, key.RemotePort, key.GuestIp, key.GuestPort, seq, ack, flags, 0, 0, default);
    }

    private void OnGuestSyn(ConnectionKey key, in TcpSegment syn)
    {
        var destination = key.RemoteIp;
        var refusedOutright = (destination & NetworkMask) == GuestNetwork && destination != GatewayIp
            || destination >> 24 == 0 || Ipv4.IsBroadcastOrMulticast(destination) || key.RemotePort == 0;
        if (refusedOutright || _connections.Count >= _options.MaxConnections)
        {
            ResetUnknown(key, syn);
            return;
        }
        var flow = new Flow(++_nextFlowId, HostAddress(destination), key.RemotePort, FlowProtocol.Tcp);
        ConnectDecision decision;
        try
        {
            decision = _policy.DecideConnect(flow);
        }
        catch (Exception)
        {
            decision = new ConnectDecision(ConnectVerdict.Deny, "policy failed");
        }
        if (decision.Verdict == ConnectVerdict.Deny)
        {
            ResetUnknown(key, syn);
            return;
        }
        Socket host;
        try
        {
            host = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        }
        catch (SocketException)
        {
            ResetUnknown(key, syn); // out of descriptors: refused like any connection that cannot be made
            return;
        }
        var connection = new RelayedConnection(this, key, flow, host, Now) { Connecting = true };
        connection.Tcp = TcpConnection.FromGuestSyn(connection, syn, RandomIss());
        if (decision.Verdict == ConnectVerdict.Inspect)
            connection.Inspecting = new ByteQueue(1024);
        _connections.Add(key, connection);
        _ = connection.ConnectAsync(new IPEndPoint(flow.Destination, flow.Port));
    }

    private void OnConnectionSegment(RelayedConnection connection, in TcpSegment segment)
    {
        var events = connection.Tcp.OnSegment(segment, Now);
        if (segment.Payload.Length > 0)
            connection.LastActivity = Now;
        if ((events & TcpEvents.Established) != 0)
        {
            connection.EstablishedAt = Now;
            if (connection.Flow is null)
                StartRelaying(connection); // a forward: the guest accepted it
        }
        if (connection.InspectDirty)
            Inspect(connection);
        if (connection.Removed)
            return;
        if ((events & (TcpEvents.Reset | TcpEvents.TimedOut)) != 0)
        {
            Remove(connection, abortive: true);
            return;
        }
        if ((events & TcpEvents.GuestFinished) != 0 && connection.Inspecting is null)
            connection.ShutdownHostSending();
        if (connection.ReaderParked && connection.Tcp.SendQueued < RelayedConnection.SendHighWater)
            connection.PermitRead();
        if ((events & TcpEvents.Closed) != 0)
            Remove(connection, abortive: false);
    }

    private void Inspect(RelayedConnection connection)
    {
        connection.InspectDirty = false;
        var held = connection.Inspecting!;
        var bytes = new byte[held.Count];
        held.CopyTo(0, bytes);
        InspectDecision decision;
        try
        {
            decision = _policy.DecideFirstBytes(connection.Flow!, bytes);
        }
        catch (Exception)
        {
            decision = new InspectDecision(InspectVerdict.Deny, "policy failed");
        }
        if (decision.Verdict == InspectVerdict.NeedMore && bytes.Length < _options.InspectLimitBytes && !connection.Tcp.GuestFinished)
            return;
        if (decision.Verdict != InspectVerdict.Allow)
        {
            Remove(connection, abortive: true);
            return;
        }
        connection.Inspecting = null;
        connection.QueueForHost(bytes);
        if (connection.Tcp.GuestFinished)
            connection.ShutdownHostSending();
        StartRelaying(connection);
    }

    private void StartRelaying(RelayedConnection connection)
    {
        connection.StartWriter();
        connection.PermitRead();
    }

    private void OnHostConnected(RelayedConnection connection, Exception? error)
    {
        if (connection.Removed)
            return;
        connection.Connecting = false;
        if (error is not null)
        {
            Remove(connection, abortive: true);
            return;
        }
        connection.LastActivity = Now;
        connection.Tcp.Accept(Now);
        if (connection.Inspecting is null)
            StartRelaying(connection);
        else
            connection.StartWriter(); // holds nothing until the verdict; the host is not read before it either
    }

    private void OnHostData(RelayedConnection connection, ReadOnlySpan<byte> data)
    {
        if (connection.Removed)
            return;
        connection.LastActivity = Now;
        if (data.Length == 0)
        {
            connection.HostFinished = true;
            connection.Tcp.CloseSending(Now);
            return;
        }
        connection.BytesToGuest += data.Length;
        connection.Tcp.Send(data, Now);
        if (connection.Tcp.SendQueued < RelayedConnection.SendHighWater)
            connection.PermitRead();
        else
            connection.ReaderParked = true;
    }

    private void OnForwardAccepted(Socket client, int guestPort)
    {
        if (_connections.Count >= _options.MaxConnections)
        {
            client.Dispose();
            return;
        }
        client.NoDelay = true;
        var target = Ipv4.FromAddress(_options.ForwardTargetAddress);
        ConnectionKey key;
        do
            key = new ConnectionKey(target, (ushort)guestPort, GatewayIp, _nextForwardPort = _nextForwardPort >= 60999 ? (ushort)20000 : (ushort)(_nextForwardPort + 1));
        while (_connections.ContainsKey(key));
        var connection = new RelayedConnection(this, key, null, client, Now);
        _connections.Add(key, connection);
        connection.Tcp = TcpConnection.Open(connection, RandomIss(), Now);
    }

    /// <summary>The host-side address a guest destination stands for: the gateway is the host's loopback.</summary>
    private static IPAddress HostAddress(uint destination) =>
        destination == GatewayIp ? NetworkLayout.HostLoopback : Ipv4.ToAddress(destination);

    private static uint RandomIss() => (uint)Random.Shared.NextInt64(0, 1L << 32);
}

using System.Buffers.Binary;
using System.Net;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Gateway;
using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

/// <summary>What the gateway answers below TCP: ARP, DNS, other UDP, ICMP, IPv6, and hostile garbage.</summary>
public sealed class GatewayLinkTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact(Timeout = 30000)]
    public async Task Arp_is_answered_for_the_gateway_and_dns_addresses_only()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        foreach (var address in new[] { ScriptedGuest.GatewayIp, ScriptedGuest.DnsIp })
        {
            await guest.SendArpRequestAsync(address);
            var reply = await guest.NextAsync();
            reply.EtherType.ShouldBe(Ethernet.TypeArp);
            Arp.TryParse(reply.Raw.AsSpan(Ethernet.HeaderLength), out var operation, out var mac, out var ip, out var target).ShouldBeTrue();
            (operation, mac, ip, target).ShouldBe((Arp.OpReply, ScriptedGuest.GatewayMac, address, ScriptedGuest.Ip));
        }
        await guest.SendArpRequestAsync(0x0a000263);
        (await guest.NextOrNoneAsync(Quiet)).ShouldBeNull();
    }

    [Fact(Timeout = 30000)]
    public async Task Dns_to_the_gateways_resolver_is_answered_by_the_policy()
    {
        var policy = new TestPolicy();
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        await guest.SendUdpAsync(ScriptedGuest.DnsIp, 33333, 53, "query"u8);
        var answer = await guest.NextAsync();
        (answer.Protocol, answer.Source, answer.SourcePort, answer.TargetPort).ShouldBe((Ipv4.Udp, ScriptedGuest.DnsIp, (ushort)53, (ushort)33333));
        answer.Payload.ShouldBe("query-answered"u8.ToArray());

        policy.Dns = _ => null; // the policy drops it: the guest hears nothing
        await guest.SendUdpAsync(ScriptedGuest.DnsIp, 33334, 53, "query"u8);
        (await guest.NextOrNoneAsync(Quiet)).ShouldBeNull();
        policy.Refused.ShouldBeEmpty();
    }

    [Fact(Timeout = 30000)]
    public async Task Other_udp_is_refused_with_port_unreachable_and_recorded()
    {
        var policy = new TestPolicy();
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        foreach (var (target, port) in new[] { (0x08080808u, (ushort)53), (ScriptedGuest.GatewayIp, (ushort)5000), (ScriptedGuest.DnsIp, (ushort)123) })
        {
            await guest.SendUdpAsync(target, 33335, port, "leak"u8);
            var refusal = await guest.NextAsync();
            refusal.Protocol.ShouldBe(Ipv4.Icmp);
            refusal.Source.ShouldBe(target);
            (refusal.Payload[0], refusal.Payload[1]).ShouldBe((Icmp.DestinationUnreachable, Icmp.CodePortUnreachable));
        }
        policy.Refused.Select(f => (f.Destination, f.Port)).ShouldBe(
            [(IPAddress.Parse("8.8.8.8"), 53), (IPAddress.Loopback, 5000), (IPAddress.Parse("10.0.2.3"), 123)]);
        policy.Refused.ShouldAllBe(f => f.Protocol == FlowProtocol.Udp);

        await guest.SendUdpAsync(0xffffffff, 68, 67, "dhcp"u8); // broadcast: nobody to refuse it to
        (await guest.NextOrNoneAsync(Quiet)).ShouldBeNull();
    }

    [Fact(Timeout = 30000)]
    public async Task Ping_is_answered_administratively_prohibited_and_never_echoed()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        var echo = new byte[Ethernet.HeaderLength + 20 + 16];
        Ethernet.WriteHeader(echo, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, Ethernet.TypeIpv4);
        var icmp = echo.AsSpan(Ethernet.HeaderLength + 20);
        icmp[0] = Icmp.EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum.Compute(icmp));
        Ipv4Packet.WriteHeader(echo.AsSpan(Ethernet.HeaderLength), ScriptedGuest.Ip, 0x01010101, Ipv4.Icmp, 1, 16);
        await guest.SendRawAsync(echo);
        var answer = await guest.NextAsync();
        (answer.Protocol, answer.Source, answer.Payload[0], answer.Payload[1])
            .ShouldBe((Ipv4.Icmp, 0x01010101u, Icmp.DestinationUnreachable, Icmp.CodeAdministrativelyProhibited));
    }

    [Fact(Timeout = 30000)]
    public async Task Ipv6_and_unknown_frames_are_dropped_silently()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        var ipv6 = new byte[14 + 40 + 8];
        Ethernet.WriteHeader(ipv6, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, 0x86dd);
        ipv6[14] = 0x60;
        await guest.SendRawAsync(ipv6);
        var vlan = new byte[64];
        Ethernet.WriteHeader(vlan, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, 0x8100);
        await guest.SendRawAsync(vlan);
        (await guest.NextOrNoneAsync(Quiet)).ShouldBeNull();
        gateway.FrameFaults.ShouldBe(0);
    }

    [Fact(Timeout = 60000)]
    public async Task Garbage_and_truncated_frames_never_break_the_gateway()
    {
        var policy = new TestPolicy();
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var random = new Random(88);
        var templates = new List<byte[]>();
        var frame = new byte[Frames.MaxFrame];
        var length = Frames.Tcp(frame, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, ScriptedGuest.Ip, ScriptedGuest.GatewayIp, 1, 41000, 22, 9, 0, TcpFlags.Syn, 1000, 1460, []);
        templates.Add(frame[..length]);
        length = Frames.Udp(frame, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, ScriptedGuest.Ip, ScriptedGuest.DnsIp, 2, 41000, 53, new byte[40]);
        templates.Add(frame[..length]);
        length = Frames.Arp(frame, default, ScriptedGuest.Mac, Arp.OpRequest, ScriptedGuest.Ip, ScriptedGuest.GatewayIp);
        templates.Add(frame[..length]);
        length = Frames.Tcp(frame, ScriptedGuest.GatewayMac, ScriptedGuest.Mac, ScriptedGuest.Ip, ScriptedGuest.GatewayIp, 1, 41001, 22, 9, 5, TcpFlags.Ack | TcpFlags.Fin, 1000, 0, new byte[300]);
        templates.Add(frame[..length]);

        for (var i = 0; i < 5000; i++)
        {
            var sample = templates[random.Next(templates.Count)].ToArray();
            sample = random.Next(4) switch
            {
                0 => sample[..random.Next(sample.Length)], // truncated, possibly empty
                1 => Mutate(sample, random),
                2 => RandomBytes(random, random.Next(100)),
                _ => Mutate(sample[..random.Next(sample.Length)], random),
            };
            await guest.SendRawAsync(sample);
        }
        // Still alive and answering, and nothing it was sent threw.
        await guest.SendArpRequestAsync(ScriptedGuest.GatewayIp);
        SeenFrame reply;
        do
            reply = await guest.NextAsync();
        while (!(reply.EtherType == Ethernet.TypeArp && reply.Destination == ScriptedGuest.Mac));
        gateway.FrameFaults.ShouldBe(0);
    }

    private static byte[] Mutate(byte[] sample, Random random)
    {
        for (var flips = 1 + random.Next(4); flips > 0 && sample.Length > 0; flips--)
            sample[random.Next(sample.Length)] = (byte)random.Next(256);
        return sample;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

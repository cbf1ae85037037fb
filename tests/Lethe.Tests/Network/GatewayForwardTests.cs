using System.Net;
using System.Net.Sockets;
using System.Text;
using Lethe.Core;
using Lethe.Machine.Network.Gateway;
using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

/// <summary>Port forwards: host 127.0.0.1 listeners whose connections the gateway opens into the guest.</summary>
public sealed class GatewayForwardTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30000)]
    public async Task A_host_client_becomes_a_syn_into_the_guest_and_bytes_flow_both_ways()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var hostPort = GatewayRelayTests.FreePort();
        gateway.AddForward(hostPort, 8080, ForwardOrigin.Spec).ShouldBe(new PortForward(hostPort, 8080, ForwardOrigin.Spec));
        gateway.Forwards.ShouldBe([new PortForward(hostPort, 8080, ForwardOrigin.Spec)]);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), Cancel);
        var syn = await guest.NextAsync();
        (syn.Flags, syn.Source, syn.Target, syn.TargetPort, syn.Mss).ShouldBe((TcpFlags.Syn, ScriptedGuest.GatewayIp, ScriptedGuest.Ip, (ushort)8080, (ushort)1460));

        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, syn.SourcePort, 8080);
        await peer.AcceptAsync(syn);
        await client.SendAsync("request"u8.ToArray(), SocketFlags.None, Cancel);
        await peer.ReceiveAsync(7);
        Encoding.ASCII.GetString(peer.Received.ToArray()).ShouldBe("request");

        await peer.SendSegmentAsync("response"u8, TcpFlags.Psh | TcpFlags.Fin);
        (await TestServer.ReadToEndAsync(client, Cancel)).ShouldBe("response"u8.ToArray());
    }

    [Fact(Timeout = 30000)]
    public async Task A_forward_the_guest_refuses_closes_the_host_client()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var hostPort = GatewayRelayTests.FreePort();
        gateway.AddForward(hostPort, 9999, ForwardOrigin.Auto);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), Cancel);
        var syn = await guest.NextAsync();
        await guest.SendTcpAsync(ScriptedGuest.GatewayIp, 9999, syn.SourcePort, 0, syn.Seq + 1, TcpFlags.Rst | TcpFlags.Ack);
        var ended = false;
        try
        {
            ended = await client.ReceiveAsync(new byte[10], SocketFlags.None, Cancel) == 0;
        }
        catch (SocketException)
        {
            ended = true;
        }
        ended.ShouldBeTrue();
    }

    [Fact(Timeout = 30000)]
    public async Task The_target_address_inside_the_guest_is_an_option()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions { ForwardTargetAddress = IPAddress.Loopback });
        await using var guest = new ScriptedGuest(gateway);
        var hostPort = GatewayRelayTests.FreePort();
        gateway.AddForward(hostPort, 3000, ForwardOrigin.Auto);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), Cancel);
        (await guest.NextAsync()).Target.ShouldBe(0x7f000001u);
    }

    [Fact(Timeout = 30000)]
    public async Task Forwards_listen_on_loopback_only_refuse_a_taken_port_and_can_be_removed()
    {
        await using var gateway = NetworkGateway.Start(new TestPolicy(), new GatewayOptions());
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var error = Should.Throw<ForwardUnavailableException>(() => gateway.AddForward(takenPort, 80, ForwardOrigin.Spec));
        error.ShouldBeAssignableTo<LetheException>();
        error.Message.ShouldNotContain("\n");
        error.Message.ShouldContain(takenPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        gateway.Forwards.ShouldBeEmpty();

        var hostPort = GatewayRelayTests.FreePort();
        gateway.AddForward(hostPort, 80, ForwardOrigin.Auto);
        ListenersOn(hostPort).ShouldBe(["127.0.0.1"]);
        Should.Throw<ForwardUnavailableException>(() => gateway.AddForward(hostPort, 81, ForwardOrigin.Auto));

        gateway.RemoveForward(hostPort).ShouldBeTrue();
        gateway.RemoveForward(hostPort).ShouldBeFalse();
        gateway.Forwards.ShouldBeEmpty();
        ListenersOn(hostPort).ShouldBeEmpty();
    }

    [Fact(Timeout = 30000)]
    public async Task Nothing_is_left_listening_or_connected_after_dispose()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(async (socket, ct) => await TestServer.ReadToEndAsync(socket, ct));
        policy.AllowedPorts.Add(server.Port);
        var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        var guest = new ScriptedGuest(gateway);
        var ports = new[] { GatewayRelayTests.FreePort(), GatewayRelayTests.FreePort() };
        gateway.AddForward(ports[0], 80, ForwardOrigin.Spec);
        gateway.AddForward(ports[1], 81, ForwardOrigin.Auto);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40100);
        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        await GatewayRelayTests.WaitUntilAsync(() => server.Accepted == 1);

        await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), Cancel);
        await guest.DisposeAsync();
        foreach (var port in ports)
            ListenersOn(port).ShouldBeEmpty();
        await Task.WhenAll(server.Handlers).WaitAsync(TimeSpan.FromSeconds(5), Cancel); // the relayed host socket was closed
        policy.Closed.Count.ShouldBe(1);
        Should.Throw<ObjectDisposedException>(() => gateway.AddForward(GatewayRelayTests.FreePort(), 80, ForwardOrigin.Spec));
    }

    /// <summary>The local addresses listening on TCP <paramref name="port"/>, from /proc/net/tcp and tcp6.</summary>
    private static List<string> ListenersOn(int port)
    {
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != "0A" || Convert.ToInt32(local[1], 16) != port)
                    continue;
                found.Add(local[0].Length == 8
                    ? new IPAddress(BitConverter.GetBytes(Convert.ToUInt32(local[0], 16))).ToString()
                    : "ipv6:" + local[0]);
            }
        }
        return found;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Gateway;
using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

/// <summary>A real <see cref="NetworkGateway"/> driven through its socketpair by a scripted guest, against
/// real TCP servers on 127.0.0.1 reached through the gateway address 10.0.2.2.</summary>
public sealed class GatewayRelayTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<byte[]> EchoUppercaseAfterEofAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = await TestServer.ReadToEndAsync(socket, cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes("got:" + Encoding.ASCII.GetString(received).ToUpperInvariant()), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        return received;
    }

    [Fact(Timeout = 30000)]
    public async Task Allowed_connection_relays_both_ways_half_closes_and_reports_its_bytes()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(EchoUppercaseAfterEofAsync);
        policy.AllowedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40001);

        var synAck = await peer.ConnectAsync();
        synAck.Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        synAck.Mss.ShouldBe((ushort)1460);
        synAck.Destination.ShouldBe(ScriptedGuest.Mac);
        var flow = policy.Decided.ShouldHaveSingleItem();
        (flow.Destination, flow.Port, flow.Protocol).ShouldBe((IPAddress.Loopback, (int)server.Port, FlowProtocol.Tcp));

        await peer.SendSegmentAsync("hello"u8, TcpFlags.Psh | TcpFlags.Fin);
        await peer.ReceiveAsync(9);
        await peer.WaitForFinAsync();
        Encoding.ASCII.GetString(peer.Received.ToArray()).ShouldBe("got:HELLO");

        await WaitUntilAsync(() => !policy.Closed.IsEmpty);
        var closed = policy.Closed.ShouldHaveSingleItem();
        (closed.Flow, closed.FromGuest, closed.ToGuest).ShouldBe((flow, 5L, 9L));
        gateway.FrameFaults.ShouldBe(0);
    }

    [Fact(Timeout = 30000)]
    public async Task Denied_connection_is_reset_at_once_and_never_reaches_the_host()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(EchoUppercaseAfterEofAsync);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        var answer = await new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40002).ConnectAsync();
        answer.Flags.ShouldBe(TcpFlags.Rst | TcpFlags.Ack);
        answer.Ack.ShouldBe(1001u);
        await Task.Delay(200, Cancel);
        server.Accepted.ShouldBe(0);
        policy.Closed.ShouldBeEmpty();
    }

    [Fact(Timeout = 30000)]
    public async Task Allowed_connection_to_a_closed_host_port_is_reset_never_accepted()
    {
        var policy = new TestPolicy();
        var port = FreePort();
        policy.AllowedPorts.Add(port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        var answer = await new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, (ushort)port, 40003).ConnectAsync();
        answer.Has(TcpFlags.Rst).ShouldBeTrue("the guest sees refused, not a handshake that then dies");
        answer.Has(TcpFlags.Syn).ShouldBeFalse();
    }

    [Fact(Timeout = 30000)]
    public async Task The_guests_own_network_other_than_the_gateway_is_never_connected_to()
    {
        var policy = new TestPolicy();
        policy.AllowedPorts.Add(53);
        policy.AllowedPorts.Add(80);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);

        (await new GuestTcpPeer(guest, ScriptedGuest.DnsIp, 53, 40004).ConnectAsync()).Has(TcpFlags.Rst).ShouldBeTrue();
        (await new GuestTcpPeer(guest, 0x0a000263, 80, 40005).ConnectAsync()).Has(TcpFlags.Rst).ShouldBeTrue();
        (await new GuestTcpPeer(guest, 0x00000000, 80, 40006).ConnectAsync()).Has(TcpFlags.Rst).ShouldBeTrue();
        policy.Decided.ShouldBeEmpty();
    }

    [Fact(Timeout = 30000)]
    public async Task Inspected_connection_holds_the_guests_bytes_until_the_policy_allows_them()
    {
        var policy = new TestPolicy
        {
            Inspector = bytes => Encoding.ASCII.GetString(bytes).Contains("\r\n\r\n")
                ? new InspectDecision(InspectVerdict.Allow, "host matches")
                : new InspectDecision(InspectVerdict.NeedMore, "headers incomplete"),
        };
        var serverGot = new TaskCompletionSource<byte[]>();
        await using var server = new TestServer(async (socket, ct) =>
        {
            var buffer = new byte[1000];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            serverGot.TrySetResult(buffer[..read]);
            await socket.SendAsync("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), SocketFlags.None, ct);
        });
        policy.InspectedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40007);

        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        await peer.SendSegmentAsync("GET / HTTP/1.1\r\n"u8);
        await peer.WaitAckedAsync();
        await Task.Delay(300, Cancel);
        serverGot.Task.IsCompleted.ShouldBeFalse("held until the verdict");

        await peer.SendSegmentAsync("Host: allowed.test\r\n\r\n"u8);
        var got = await serverGot.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        Encoding.ASCII.GetString(got).ShouldBe("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n");
        await peer.ReceiveAsync(19);
        Encoding.ASCII.GetString(peer.Received.ToArray()).ShouldStartWith("HTTP/1.1 200");
        policy.Inspected.Count.ShouldBe(2);
    }

    [Fact(Timeout = 30000)]
    public async Task Inspected_connection_denied_is_reset_both_ways_and_the_host_gets_nothing()
    {
        var policy = new TestPolicy { Inspector = _ => new InspectDecision(InspectVerdict.Deny, "SNI mismatch") };
        var hostSaw = new TaskCompletionSource<int>();
        await using var server = new TestServer(async (socket, ct) =>
        {
            try
            {
                hostSaw.TrySetResult((await TestServer.ReadToEndAsync(socket, ct)).Length);
            }
            catch (SocketException)
            {
                hostSaw.TrySetResult(-1); // reset
            }
        });
        policy.InspectedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40008);

        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        await peer.SendSegmentAsync("\x16\x03\x01 a client hello for the wrong name"u8);
        var reset = await peer.NextForMeAsync();
        reset.Has(TcpFlags.Rst).ShouldBeTrue();
        (await hostSaw.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel)).ShouldBeLessThanOrEqualTo(0);
    }

    [Fact(Timeout = 30000)]
    public async Task Inspection_gives_up_past_its_byte_limit()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(EchoUppercaseAfterEofAsync);
        policy.InspectedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions { InspectLimitBytes = 1000 });
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40009);

        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        await peer.SendSegmentAsync(new byte[600]);
        await peer.SendSegmentAsync(new byte[600]);
        SeenFrame frame;
        do
            frame = await peer.NextForMeAsync();
        while (!frame.Has(TcpFlags.Rst));
    }

    [Fact(Timeout = 30000)]
    public async Task Inspection_gives_up_after_its_timeout()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(EchoUppercaseAfterEofAsync);
        policy.InspectedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions { InspectTimeout = TimeSpan.FromMilliseconds(300) });
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40010);

        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        (await peer.NextForMeAsync(TimeSpan.FromSeconds(5))).Has(TcpFlags.Rst).ShouldBeTrue();
    }

    [Fact(Timeout = 30000)]
    public async Task Connections_beyond_the_limit_are_reset_and_idle_ones_time_out()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(EchoUppercaseAfterEofAsync);
        policy.AllowedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions { MaxConnections = 1, IdleTimeout = TimeSpan.FromSeconds(1) });
        await using var guest = new ScriptedGuest(gateway);

        var first = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40011);
        (await first.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        (await new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40012).ConnectAsync()).Has(TcpFlags.Rst).ShouldBeTrue();

        (await first.NextForMeAsync(TimeSpan.FromSeconds(5))).Has(TcpFlags.Rst).ShouldBeTrue("idle past the timeout");
        await WaitUntilAsync(() => !policy.Closed.IsEmpty);
        (await new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40013).ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
    }

    [Fact(Timeout = 30000)]
    public async Task A_host_reset_resets_the_guest_and_stray_segments_are_reset()
    {
        var policy = new TestPolicy();
        await using var server = new TestServer(async (socket, ct) =>
        {
            await socket.ReceiveAsync(new byte[100], SocketFlags.None, ct);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close(); // a reset
        });
        policy.AllowedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40014);

        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);
        await peer.SendSegmentAsync("x"u8);
        SeenFrame frame;
        do
            frame = await peer.NextForMeAsync();
        while (!frame.Has(TcpFlags.Rst));

        await guest.SendTcpAsync(ScriptedGuest.GatewayIp, 40999, 80, 5, 77, TcpFlags.Ack, "stray"u8);
        var stray = await guest.NextAsync();
        (stray.Flags, stray.Seq, stray.TargetPort).ShouldBe((TcpFlags.Rst, 77u, (ushort)40999));
    }

    [Fact(Timeout = 60000)]
    public async Task Megabytes_flow_both_ways_intact_within_the_windows()
    {
        const int size = 4 << 20;
        var upload = new byte[size];
        var download = new byte[size];
        new Random(3).NextBytes(upload);
        new Random(4).NextBytes(download);
        var uploaded = new TaskCompletionSource<byte[]>();
        await using var server = new TestServer(async (socket, ct) =>
        {
            var sending = socket.SendAsync(download, SocketFlags.None, ct).AsTask();
            uploaded.TrySetResult(await TestServer.ReadToEndAsync(socket, ct));
            await sending;
            socket.Shutdown(SocketShutdown.Send);
        });
        var policy = new TestPolicy();
        policy.AllowedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = new ScriptedGuest(gateway);
        var peer = new GuestTcpPeer(guest, ScriptedGuest.GatewayIp, server.Port, 40015);
        (await peer.ConnectAsync()).Flags.ShouldBe(TcpFlags.Syn | TcpFlags.Ack);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await peer.SendAllAsync(upload);
        await peer.SendSegmentAsync([], TcpFlags.Fin);
        await peer.WaitForFinAsync();
        var elapsed = clock.Elapsed;
        (await uploaded.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel)).ShouldBe(upload);
        peer.Received.Count.ShouldBe(size);
        peer.Received.ToArray().ShouldBe(download);
        TestContext.Current.SendDiagnosticMessage($"8 MiB through the gateway (scripted guest) in {elapsed.TotalMilliseconds:F0} ms");
        await WaitUntilAsync(() => !policy.Closed.IsEmpty);
        var closed = policy.Closed.ShouldHaveSingleItem();
        (closed.FromGuest, closed.ToGuest).ShouldBe(((long)size, (long)size));
    }

    internal static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(50, Cancel);
        condition().ShouldBeTrue();
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Lethe.Machine.Network.Gateway;
using Lethe.Machine.Network.Stack;
using Lethe.Protocol;

namespace Lethe.Tests.Network;

/// <summary>A frame the gateway sent the guest, parsed with the stack's own codecs.</summary>
internal sealed record SeenFrame(ushort EtherType, MacAddress Destination, byte Protocol, uint Source, uint Target,
    ushort SourcePort, ushort TargetPort, uint Seq, uint Ack, TcpFlags Flags, ushort Window, ushort Mss, byte[] Payload, byte[] Raw)
{
    public bool IsTcp => EtherType == Ethernet.TypeIpv4 && Protocol == Ipv4.Tcp;
    public bool Has(TcpFlags flag) => (Flags & flag) != 0;
}

/// <summary>
/// The guest end of the gateway's socketpair, played by the test: it writes frames built with the stack's
/// codecs in QEMU's framing and reads back what the gateway answers.
/// </summary>
internal sealed class ScriptedGuest : IAsyncDisposable
{
    public static readonly MacAddress Mac = MacAddress.Parse(NetworkLayout.GuestMac);
    public static readonly MacAddress GatewayMac = MacAddress.Parse(NetworkLayout.GatewayMac);
    public static readonly uint Ip = Ipv4.FromAddress(NetworkLayout.Guest);
    public static readonly uint GatewayIp = Ipv4.FromAddress(NetworkLayout.Gateway);
    public static readonly uint DnsIp = Ipv4.FromAddress(NetworkLayout.Dns);

    private readonly Socket _socket;
    private readonly Channel<SeenFrame> _frames = Channel.CreateUnbounded<SeenFrame>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly byte[] _frame = new byte[4 + Frames.MaxFrame];
    private ushort _ipId;

    public ScriptedGuest(NetworkGateway gateway)
    {
        var fd = dup((int)gateway.QemuEnd.DangerousGetHandle());
        fd.ShouldBeGreaterThanOrEqualTo(0);
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        gateway.CloseQemuEnd(); // as once QEMU holds its end
        _reader = ReadAsync();
    }

    /// <summary>Sends raw bytes as one frame, however malformed.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> frame)
    {
        var buffer = new byte[4 + frame.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, frame.Length);
        frame.CopyTo(buffer.AsMemory(4));
        await _socket.SendAsync(buffer, SocketFlags.None);
    }

    public Task SendTcpAsync(uint to, ushort fromPort, ushort toPort, uint seq, uint ack, TcpFlags flags, ReadOnlySpan<byte> payload = default, ushort window = 65535, ushort mss = 0, int windowScale = -1)
    {
        var length = Frames.Tcp(_frame.AsSpan(4), GatewayMac, Mac, Ip, to, _ipId++, fromPort, toPort, seq, ack, flags, window, mss, payload, windowScale);
        return SendBuiltAsync(length);
    }

    public Task SendUdpAsync(uint to, ushort fromPort, ushort toPort, ReadOnlySpan<byte> payload)
    {
        var length = Frames.Udp(_frame.AsSpan(4), GatewayMac, Mac, Ip, to, _ipId++, fromPort, toPort, payload);
        return SendBuiltAsync(length);
    }

    public Task SendArpRequestAsync(uint target)
    {
        var length = Frames.Arp(_frame.AsSpan(4), MacAddress.Broadcast, Mac, Arp.OpRequest, Ip, target);
        return SendBuiltAsync(length);
    }

    /// <summary>The next frame from the gateway; fails the test when none comes in time.</summary>
    public async Task<SeenFrame> NextAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        return await _frames.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next frame, or null when none comes within <paramref name="within"/>.</summary>
    public async Task<SeenFrame?> NextOrNoneAsync(TimeSpan within)
    {
        try
        {
            return await NextAsync(within);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task SendBuiltAsync(int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(_frame, length);
        var sent = 0;
        while (sent < length + 4)
            sent += await _socket.SendAsync(_frame.AsMemory(sent, length + 4 - sent), SocketFlags.None);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                    break;
                filled += read;
                var at = 0;
                while (filled - at >= 4 && filled - at - 4 >= BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(at)))
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(at));
                    _frames.Writer.TryWrite(Parse(buffer.AsSpan(at + 4, length)));
                    at += 4 + length;
                }
                buffer.AsSpan(at, filled - at).CopyTo(buffer);
                filled -= at;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // stopped, or the gateway closed its end (with frames unread: a reset)
        }
        _frames.Writer.TryComplete();
    }

    private static SeenFrame Parse(ReadOnlySpan<byte> frame)
    {
        Ethernet.TryParse(frame, out var destination, out _, out var type, out var payload).ShouldBeTrue();
        if (type != Ethernet.TypeIpv4)
            return new SeenFrame(type, destination, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, [], frame.ToArray());
        Ipv4Packet.TryParse(payload, out var ip).ShouldBeTrue("the gateway sends valid IPv4");
        if (ip.Protocol == Ipv4.Tcp)
        {
            Checksum.Fold(Checksum.Add(Checksum.PseudoHeader(ip.Source, ip.Destination, Ipv4.Tcp, ip.Payload.Length), ip.Payload)).ShouldBe((ushort)0);
            TcpSegment.TryParse(ip.Payload, out var tcp).ShouldBeTrue();
            return new SeenFrame(type, destination, ip.Protocol, ip.Source, ip.Destination, tcp.SourcePort, tcp.DestinationPort,
                tcp.Seq, tcp.Ack, tcp.Flags, tcp.Window, tcp.Mss, tcp.Payload.ToArray(), frame.ToArray());
        }
        if (ip.Protocol == Ipv4.Udp && Udp.TryParse(ip.Payload, out var from, out var to, out var data))
            return new SeenFrame(type, destination, ip.Protocol, ip.Source, ip.Destination, from, to, 0, 0, 0, 0, 0, data.ToArray(), frame.ToArray());
        return new SeenFrame(type, destination, ip.Protocol, ip.Source, ip.Destination, 0, 0, 0, 0, 0, 0, 0, ip.Payload.ToArray(), frame.ToArray());
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project.
    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);
#pragma warning restore SYSLIB1054
}

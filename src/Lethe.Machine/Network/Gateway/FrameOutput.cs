using System.Buffers.Binary;
using System.Net.Sockets;
using Lethe.Machine.Network.Stack;
using Lethe.Protocol;

namespace Lethe.Machine.Network.Gateway;

/// <summary>Frames for the guest, gathered in QEMU's framing (4-byte big-endian length, then the frame)
/// and written with one system call per batch. Owned by the frame loop.</summary>
internal sealed class FrameOutput(Socket link)
{
    public static readonly MacAddress GatewayMac = MacAddress.Parse(NetworkLayout.GatewayMac);
    private const int FlushThreshold = 1 << 20;

    private byte[] _buffer = new byte[1 << 18];
    private int _used;
    private ushort _ipId;

    public MacAddress GuestMac { get; set; } = MacAddress.Parse(NetworkLayout.GuestMac);
    public bool IsEmpty => _used == 0;
    public bool WantsFlush => _used >= FlushThreshold;

    public void Tcp(uint fromIp, ushort fromPort, uint toIp, ushort toPort, uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale = -1)
    {
        var frame = Reserve(Frames.TcpOverhead + payload.Length);
        Commit(Frames.Tcp(frame, GuestMac, GatewayMac, fromIp, toIp, _ipId++, fromPort, toPort, seq, ack, flags, window, mss, payload, windowScale));
    }

    public void Udp(uint fromIp, ushort fromPort, uint toIp, ushort toPort, ReadOnlySpan<byte> payload)
    {
        var frame = Reserve(Ethernet.HeaderLength + Ipv4Packet.HeaderLength + Stack.Udp.HeaderLength + payload.Length);
        Commit(Frames.Udp(frame, GuestMac, GatewayMac, fromIp, toIp, _ipId++, fromPort, toPort, payload));
    }

    public void Unreachable(uint fromIp, uint toIp, byte code, ReadOnlySpan<byte> offendingPacket)
    {
        var frame = Reserve(Ethernet.HeaderLength + Ipv4Packet.HeaderLength + Icmp.HeaderLength + 60 + 8);
        Commit(Frames.Unreachable(frame, GuestMac, GatewayMac, fromIp, toIp, _ipId++, code, offendingPacket));
    }

    public void ArpReply(MacAddress toMac, uint fromIp, uint toIp)
    {
        var frame = Reserve(Ethernet.HeaderLength + Stack.Arp.Length);
        Commit(Frames.Arp(frame, toMac, GatewayMac, Stack.Arp.OpReply, fromIp, toIp));
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_used == 0)
            return;
        var used = _used;
        _used = 0;
        var sent = 0;
        while (sent < used)
            sent += await link.SendAsync(_buffer.AsMemory(sent, used - sent), SocketFlags.None, cancellationToken);
    }

    private Span<byte> Reserve(int frameLength)
    {
        var needed = _used + 4 + frameLength;
        if (needed > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        return _buffer.AsSpan(_used + 4, frameLength);
    }

    private void Commit(int frameLength)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), frameLength);
        _used += 4 + frameLength;
    }
}

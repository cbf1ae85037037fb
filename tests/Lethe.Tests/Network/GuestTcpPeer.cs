using Lethe.Machine.Network.Stack;

namespace Lethe.Tests.Network;

/// <summary>A minimal TCP endpoint inside the scripted guest: in order, acknowledges what it receives,
/// and sends within the window the gateway advertises.</summary>
internal sealed class GuestTcpPeer(ScriptedGuest guest, uint remoteIp, ushort remotePort, ushort localPort)
{
    public uint Seq { get; private set; } = 1000;
    public uint Ack { get; private set; }
    public uint PeerAcked { get; private set; }
    public int PeerWindow { get; private set; }
    public bool PeerFinished { get; private set; }
    public List<byte> Received { get; } = [];
    public ushort LocalPort => localPort;

    /// <summary>Sends the SYN; returns the gateway's answer (SYN-ACK, which is then acknowledged, or RST).</summary>
    public async Task<SeenFrame> ConnectAsync(ushort window = 65535)
    {
        await guest.SendTcpAsync(remoteIp, localPort, remotePort, Seq, 0, TcpFlags.Syn, window: window, mss: 1460);
        var answer = await NextForMeAsync();
        if (answer.Has(TcpFlags.Syn) && answer.Has(TcpFlags.Ack))
        {
            Seq++;
            Ack = answer.Seq + 1;
            PeerAcked = answer.Ack;
            PeerWindow = answer.Window;
            await guest.SendTcpAsync(remoteIp, localPort, remotePort, Seq, Ack, TcpFlags.Ack, window: window);
        }
        return answer;
    }

    /// <summary>Answers the gateway's SYN (a forward into the guest) as a listening guest would.</summary>
    public async Task AcceptAsync(SeenFrame syn)
    {
        Ack = syn.Seq + 1;
        await guest.SendTcpAsync(remoteIp, localPort, remotePort, Seq, Ack, TcpFlags.Syn | TcpFlags.Ack, mss: 1460);
        Seq++;
        PeerWindow = 65535;
        PeerAcked = Seq;
    }

    public Task SendSegmentAsync(ReadOnlySpan<byte> data, TcpFlags extra = TcpFlags.None)
    {
        var task = guest.SendTcpAsync(remoteIp, localPort, remotePort, Seq, Ack, TcpFlags.Ack | extra, data);
        Seq += (uint)data.Length + ((extra & TcpFlags.Fin) != 0 ? 1u : 0u);
        return task;
    }

    /// <summary>Sends everything in MSS pieces, never beyond the gateway's advertised window.</summary>
    public async Task SendAllAsync(byte[] data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var room = (int)(PeerAcked + (uint)PeerWindow - Seq);
            if (room <= 0)
            {
                await TakeOneAsync();
                continue;
            }
            var length = Math.Min(Math.Min(room, 1460), data.Length - offset);
            await SendSegmentAsync(data.AsSpan(offset, length));
            offset += length;
        }
    }

    /// <summary>Reads until <paramref name="count"/> bytes arrived (or the gateway's FIN), acknowledging as it goes.</summary>
    public async Task ReceiveAsync(int count, TimeSpan? within = null)
    {
        while (Received.Count < count && !PeerFinished)
            await TakeOneAsync(within);
    }

    public async Task WaitForFinAsync()
    {
        while (!PeerFinished)
            await TakeOneAsync();
    }

    /// <summary>Waits until the gateway acknowledged everything sent.</summary>
    public async Task WaitAckedAsync()
    {
        while (PeerAcked != Seq)
            await TakeOneAsync();
    }

    public async Task<SeenFrame> NextForMeAsync(TimeSpan? within = null)
    {
        while (true)
        {
            var frame = await guest.NextAsync(within);
            if (frame.IsTcp && frame.TargetPort == localPort && frame.SourcePort == remotePort)
                return frame;
        }
    }

    private async Task TakeOneAsync(TimeSpan? within = null)
    {
        var frame = await NextForMeAsync(within);
        frame.Has(TcpFlags.Rst).ShouldBeFalse("the gateway reset the connection");
        if (frame.Has(TcpFlags.Ack) && Lethe.Machine.Network.Stack.Seq.Gt(frame.Ack, PeerAcked))
            PeerAcked = frame.Ack;
        PeerWindow = frame.Window;
        var advanced = false;
        if (frame.Seq == Ack && frame.Payload.Length > 0)
        {
            Received.AddRange(frame.Payload);
            Ack += (uint)frame.Payload.Length;
            advanced = true;
        }
        if (frame.Has(TcpFlags.Fin) && frame.Seq + (uint)frame.Payload.Length == Ack && !PeerFinished)
        {
            Ack++;
            PeerFinished = true;
            advanced = true;
        }
        if (advanced)
            await guest.SendTcpAsync(remoteIp, localPort, remotePort, Seq, Ack, TcpFlags.Ack);
    }
}

using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Lethe.Machine.Network.Stack;

namespace Lethe.Machine.Network.Gateway;

internal readonly record struct ConnectionKey(uint GuestIp, ushort GuestPort, uint RemoteIp, ushort RemotePort);

/// <summary>
/// One relayed TCP connection: the guest side (a <see cref="TcpConnection"/>) and the host socket. Its state
/// belongs to the frame loop; the host socket's reader and writer run as tasks that only post events back.
/// </summary>
internal sealed class RelayedConnection : ITcpSink
{
    public const int ReadChunk = 65536;
    /// <summary>Bytes from the host queued for the guest beyond which the host socket is not read.</summary>
    public const int SendHighWater = 4 * TcpConnection.ReceiveBuffer;
    /// <summary>Guest bytes handed to the host writer and not yet written, up to which the guest's window is
    /// reopened at once rather than when the write completes: a receive buffer beyond the 64 KiB a window says.</summary>
    public const int WriteAhead = 4 * TcpConnection.ReceiveBuffer;

    private readonly GatewayLoop _loop;
    private readonly Channel<(byte[]? Data, int Length)> _writes = Channel.CreateUnbounded<(byte[]?, int)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _readPermit = new(0);
    private readonly CancellationTokenSource _cancel = new();
    private byte[]? _toHost;
    private int _toHostLength, _writing, _unreported;
    private Task _writer = Task.CompletedTask, _reader = Task.CompletedTask;
    private bool _readerStarted, _writerStarted;

    public RelayedConnection(GatewayLoop loop, ConnectionKey key, Flow? flow, Socket host, long now)
    {
        _loop = loop;
        Key = key;
        Flow = flow;
        Host = host;
        Created = LastActivity = now;
    }

    public ConnectionKey Key { get; }
    /// <summary>The policy's view of a guest-initiated connection; null for a port forward.</summary>
    public Flow? Flow { get; }
    public Socket Host { get; }
    public TcpConnection Tcp { get; set; } = null!;
    public long Created { get; }
    public long LastActivity { get; set; }
    public long EstablishedAt { get; set; }
    public bool Connecting { get; set; }
    /// <summary>The guest's bytes are held for <see cref="IGatewayPolicy.DecideFirstBytes"/> until a verdict.</summary>
    public ByteQueue? Inspecting { get; set; }
    public bool InspectDirty { get; set; }
    public bool ReaderParked { get; set; }
    public bool HostFinished { get; set; }
    public bool Removed { get; set; }
    public long BytesFromGuest { get; set; }
    public long BytesToGuest { get; set; }

    public void Transmit(uint seq, uint ack, TcpFlags flags, ushort window, ushort mss, ReadOnlySpan<byte> payload, int windowScale) =>
        _loop.Output.Tcp(Key.RemoteIp, Key.RemotePort, Key.GuestIp, Key.GuestPort, seq, ack, flags, window, mss, payload, windowScale);

    public void Deliver(ReadOnlySpan<byte> data)
    {
        BytesFromGuest += data.Length;
        if (Inspecting is { } held)
        {
            held.Append(data);
            InspectDirty = true;
            return;
        }
        QueueForHost(data);
    }

    /// <summary>Guest bytes for the host, gathered over one batch of frames and written by <see cref="FlushToHost"/>.</summary>
    public void QueueForHost(ReadOnlySpan<byte> data)
    {
        if (_toHost is null || _toHostLength + data.Length > _toHost.Length)
        {
            FlushToHost();
            _toHost = ArrayPool<byte>.Shared.Rent(Math.Max(TcpConnection.ScaledReceiveBuffer, data.Length));
        }
        data.CopyTo(_toHost.AsSpan(_toHostLength));
        _toHostLength += data.Length;
        _loop.MarkDirty(this);
    }

    public void FlushToHost()
    {
        if (_toHost is null)
            return;
        if (_toHostLength > 0)
        {
            _writes.Writer.TryWrite((_toHost, _toHostLength));
            _writing += _toHostLength;
            _unreported += _toHostLength;
        }
        else
            ArrayPool<byte>.Shared.Return(_toHost);
        _toHost = null;
        _toHostLength = 0;
    }

    /// <summary>The host writer finished <paramref name="length"/> bytes.</summary>
    public void Written(int length)
    {
        _writing -= length;
        ReopenWindow();
    }

    /// <summary>Tells the guest side that bytes handed to the writer are consumed, keeping unreported at least
    /// what the writer holds beyond <see cref="WriteAhead"/>. Only between segments: never inside one.</summary>
    public void ReopenWindow()
    {
        var reportable = _unreported - Math.Max(0, _writing - WriteAhead);
        if (reportable <= 0)
            return;
        _unreported -= reportable;
        Tcp.Consumed(reportable);
    }

    /// <summary>After the queued bytes, shut the host socket's sending side (the guest sent its FIN).</summary>
    public void ShutdownHostSending()
    {
        FlushToHost();
        _writes.Writer.TryWrite((null, 0));
    }

    public void StartWriter()
    {
        if (_writerStarted)
            return;
        _writerStarted = true;
        _writer = WriteToHostAsync();
    }

    /// <summary>Lets the host reader read one more chunk (starting it the first time).</summary>
    public void PermitRead()
    {
        ReaderParked = false;
        _readPermit.Release();
        if (_readerStarted)
            return;
        _readerStarted = true;
        _reader = ReadFromHostAsync();
    }

    public async Task ConnectAsync(System.Net.IPEndPoint endpoint)
    {
        try
        {
            await Host.ConnectAsync(endpoint, _cancel.Token);
            _loop.Post(new HostConnected(this, null));
        }
        catch (Exception e)
        {
            _loop.Post(new HostConnected(this, e));
        }
    }

    /// <summary>Stops the relay. Gracefully, the writer first delivers what it holds; abortively, the host
    /// socket is reset at once.</summary>
    public async Task CloseAsync(bool abortive, CancellationToken stopping)
    {
        FlushToHost();
        _writes.Writer.TryComplete();
        if (abortive)
            ResetOnClose();
        else
            await Task.WhenAny(_writer, Task.Delay(TimeSpan.FromSeconds(30), stopping)).ConfigureAwait(false);
        _cancel.Cancel();
        Host.Dispose();
        await Task.WhenAll(_writer, _reader).ConfigureAwait(false);
        while (_writes.Reader.TryRead(out var item))
            if (item.Data is not null)
                ArrayPool<byte>.Shared.Return(item.Data);
        _cancel.Dispose();
    }

    private void ResetOnClose()
    {
        try
        {
            Host.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // never connected: there is nothing to reset
        }
    }

    private async Task WriteToHostAsync()
    {
        try
        {
            await foreach (var (data, length) in _writes.Reader.ReadAllAsync(_cancel.Token))
            {
                if (data is null)
                {
                    Host.Shutdown(SocketShutdown.Send);
                    continue;
                }
                try
                {
                    var sent = 0;
                    while (sent < length)
                        sent += await Host.SendAsync(data.AsMemory(sent, length - sent), SocketFlags.None, _cancel.Token);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(data);
                }
                _loop.Post(new HostWritten(this, length));
            }
        }
        catch (Exception)
        {
            // Whatever failed (reset, closed, cancelled), the relay ends; only the loop decides what follows.
            if (!_cancel.IsCancellationRequested)
                _loop.Post(new HostFailed(this));
        }
    }

    private async Task ReadFromHostAsync()
    {
        try
        {
            while (true)
            {
                await _readPermit.WaitAsync(_cancel.Token);
                var buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
                int length;
                try
                {
                    length = await Host.ReceiveAsync(buffer.AsMemory(0, ReadChunk), SocketFlags.None, _cancel.Token);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                _loop.Post(new HostData(this, buffer, length));
                if (length == 0)
                    return;
            }
        }
        catch (Exception)
        {
            // Whatever failed (reset, closed, cancelled), the relay ends; only the loop decides what follows.
            if (!_cancel.IsCancellationRequested)
                _loop.Post(new HostFailed(this));
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Lethe.Machine.Network.Stack;

namespace Lethe.Machine.Network.Gateway;

/// <summary>
/// The gateway's one owner of state: a single consumer of <see cref="GatewayEvent"/>s. Frames from QEMU and
/// host socket completions arrive as events; each batch of events ends with the acknowledgements it left
/// pending, the guest bytes for each host socket, and one write of all frames for the guest.
/// </summary>
internal sealed partial class GatewayLoop
{
    private const int LinkReadSize = 1 << 18, LinkChunksInFlight = 4;

    private readonly Socket _link;
    private readonly IGatewayPolicy _policy;
    private readonly GatewayOptions _options;
    private readonly Channel<GatewayEvent> _events = Channel.CreateUnbounded<GatewayEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ConnectionKey, RelayedConnection> _connections = [];
    private readonly HashSet<RelayedConnection> _dirty = [];
    private readonly List<Task> _closing = [];
    private readonly SemaphoreSlim _linkChunks = new(LinkChunksInFlight);
    private readonly CancellationToken _stopping;
    private long _nextFlowId;
    private int _dnsInFlight;
    private ushort _nextForwardPort = 20000;

    public GatewayLoop(Socket link, IGatewayPolicy policy, GatewayOptions options, CancellationToken stopping)
    {
        _link = link;
        _policy = policy;
        _options = options;
        _stopping = stopping;
        Output = new FrameOutput(link);
    }

    public FrameOutput Output { get; }

    public void Post(GatewayEvent gatewayEvent)
    {
        if (!_events.Writer.TryWrite(gatewayEvent))
            Discard(gatewayEvent);
    }

    public void MarkDirty(RelayedConnection connection) => _dirty.Add(connection);

    public Task RunAsync() => Task.WhenAll(RunLoopAsync(), ReadLinkAsync(), TickAsync());

    private static long Now => Environment.TickCount64;

    private async Task RunLoopAsync()
    {
        try
        {
            var reader = _events.Reader;
            while (await reader.WaitToReadAsync(_stopping))
            {
                while (reader.TryRead(out var gatewayEvent))
                {
                    try
                    {
                        Handle(gatewayEvent);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One event's failure (a bug, or the host out of descriptors) must not end every connection.
                        Faults++;
                    }
                    if (Output.WantsFlush)
                        await EndBatchAsync();
                }
                await EndBatchAsync();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping, or QEMU's end went away: either way the connections end below
        }
        finally
        {
            _events.Writer.TryComplete();
            foreach (var connection in _connections.Values.ToList())
                Remove(connection, abortive: true);
            while (_events.Reader.TryRead(out var left))
                Discard(left);
            await Task.WhenAll(_closing).ConfigureAwait(false);
        }
    }

    private async ValueTask EndBatchAsync()
    {
        foreach (var connection in _dirty)
        {
            if (connection.Removed)
                continue;
            connection.FlushToHost();
            connection.ReopenWindow();
        }
        _dirty.Clear();
        foreach (var connection in _connections.Values)
            connection.Tcp.FlushAck();
        await Output.FlushAsync(_stopping);
    }

    private void Handle(GatewayEvent gatewayEvent)
    {
        switch (gatewayEvent)
        {
            case FramesArrived frames:
                try
                {
                    OnFrames(frames.Buffer.AsSpan(0, frames.Length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frames.Buffer);
                    _linkChunks.Release();
                }
                break;
            case LinkClosed:
                _events.Writer.TryComplete();
                break;
            case HostConnected connected:
                OnHostConnected(connected.Connection, connected.Error);
                break;
            case HostData data:
                try
                {
                    OnHostData(data.Connection, data.Buffer.AsSpan(0, data.Length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(data.Buffer);
                }
                break;
            case HostWritten written when !written.Connection.Removed:
                written.Connection.LastActivity = Now;
                written.Connection.Written(written.Length);
                break;
            case HostFailed failed when !failed.Connection.Removed:
                Remove(failed.Connection, abortive: true);
                break;
            case DnsAnswered answered:
                _dnsInFlight--;
                if (answered.Answer is { Length: > 0 and <= 65507 } answer)
                    Output.Udp(DnsIp, 53, answered.GuestIp, answered.GuestPort, answer);
                break;
            case ForwardAccepted accepted:
                OnForwardAccepted(accepted.Client, accepted.GuestPort);
                break;
            case TimerTick:
                OnTick();
                break;
        }
    }

    private static void Discard(GatewayEvent gatewayEvent)
    {
        switch (gatewayEvent)
        {
            case FramesArrived frames:
                ArrayPool<byte>.Shared.Return(frames.Buffer);
                break;
            case HostData data:
                ArrayPool<byte>.Shared.Return(data.Buffer);
                break;
            case ForwardAccepted accepted:
                accepted.Client.Dispose();
                break;
        }
    }

    /// <summary>Reads QEMU's stream in large pieces and posts the whole frames of each piece at once.</summary>
    private async Task ReadLinkAsync()
    {
        var buffer = new byte[LinkReadSize + Frames.MaxFrame + 4];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _link.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stopping);
                if (read == 0)
                    break;
                filled += read;
                var whole = 0;
                while (filled - whole >= 4)
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(whole));
                    if (length is < 0 or > Frames.MaxFrame)
                        throw new InvalidDataException("QEMU's network stream lost its framing");
                    if (filled - whole - 4 < length)
                        break;
                    whole += 4 + length;
                }
                if (whole == 0)
                    continue;
                await _linkChunks.WaitAsync(_stopping);
                var chunk = ArrayPool<byte>.Shared.Rent(whole);
                buffer.AsSpan(0, whole).CopyTo(chunk);
                Post(new FramesArrived(chunk, whole));
                buffer.AsSpan(whole, filled - whole).CopyTo(buffer);
                filled -= whole;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidDataException)
        {
        }
        Post(new LinkClosed());
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping))
                Post(new TimerTick());
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnTick()
    {
        var now = Now;
        foreach (var connection in _connections.Values.ToList())
        {
            if (connection.Connecting && now - connection.Created > _options.ConnectTimeout.TotalMilliseconds)
                Remove(connection, abortive: true);
            else if (connection.Inspecting is not null && connection.EstablishedAt != 0
                     && now - connection.EstablishedAt > _options.InspectTimeout.TotalMilliseconds)
                Remove(connection, abortive: true);
            else if (now - connection.LastActivity > _options.IdleTimeout.TotalMilliseconds)
                Remove(connection, abortive: true);
            else if ((connection.Tcp.Tick(now) & TcpEvents.TimedOut) != 0)
                Remove(connection, abortive: true);
        }
    }

    /// <summary>Forgets a connection: resets the guest side unless it already ended, and closes the host socket.</summary>
    private void Remove(RelayedConnection connection, bool abortive)
    {
        if (connection.Removed)
            return;
        connection.Removed = true;
        _connections.Remove(connection.Key);
        if (abortive)
            connection.Tcp.Abort();
        if (connection.Flow is { } flow)
        {
            try
            {
                _policy.Closed(flow, connection.BytesFromGuest, connection.BytesToGuest);
            }
            catch (Exception)
            {
                // the policy's log failing must not take the gateway down
            }
        }
        _closing.RemoveAll(task => task.IsCompleted);
        _closing.Add(connection.CloseAsync(abortive, _stopping));
    }
}

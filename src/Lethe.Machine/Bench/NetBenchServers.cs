using System.Net;
using System.Net.Sockets;

namespace Lethe.Machine.Bench;

/// <summary>
/// lethe bench net's servers, on the host's 127.0.0.1 only (ephemeral ports): a sink that reads
/// <see cref="Bytes"/> and answers "ok", a source that sends <see cref="Bytes"/> and closes, and one that
/// accepts and closes. They stop when disposed.
/// </summary>
public sealed class NetBenchServers : IAsyncDisposable
{
    public sealed record Ports(int Sink, int Source, int Accept);

    private static readonly byte[] Ok = "ok\n"u8.ToArray();
    private readonly TcpListener _sink = Listen();
    private readonly TcpListener _source = Listen();
    private readonly TcpListener _accept = Listen();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private volatile string? _failure;

    public NetBenchServers(long bytes)
    {
        Bytes = bytes;
        _loops.Add(ServeAsync(_sink, SinkAsync));
        _loops.Add(ServeAsync(_source, SourceAsync));
        _loops.Add(ServeAsync(_accept, (_, _) => Task.CompletedTask));
    }

    public long Bytes { get; }

    public Ports Listening => new(Port(_sink), Port(_source), Port(_accept));

    /// <summary>The last thing a server saw go wrong (for the error line when the guest's side fails).</summary>
    public string? Failure => _failure;

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(128);
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private async Task ServeAsync(TcpListener listener, Func<Socket, CancellationToken, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        await handle(socket, _stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        _failure = $"the host's bench server: {e.Message}";
                    }
                }
            });
        }
    }

    private async Task SinkAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[256 * 1024];
        var left = Bytes;
        while (left > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop).ConfigureAwait(false);
            if (read == 0)
            {
                _failure = $"the sink's connection closed {left} bytes short";
                return;
            }
            left -= read;
        }
        await socket.SendAsync(Ok, SocketFlags.None, stop).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task SourceAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[256 * 1024];
        var left = Bytes;
        while (left > 0)
        {
            var chunk = (int)Math.Min(buffer.Length, left);
            left -= await socket.SendAsync(buffer.AsMemory(0, chunk), SocketFlags.None, stop).ConfigureAwait(false);
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _sink.Stop();
        _source.Stop();
        _accept.Stop();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }
}

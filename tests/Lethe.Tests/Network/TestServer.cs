using System.Net;
using System.Net.Sockets;

namespace Lethe.Tests.Network;

/// <summary>A TCP server on 127.0.0.1 that the test starts and stops; each accepted connection runs the handler.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _accepted;

    public TestServer(Func<Socket, CancellationToken, Task> handler)
    {
        _listener.Start();
        _accepting = AcceptAsync(handler);
    }

    public ushort Port => (ushort)((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    public List<Task> Handlers { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(Handlers).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, CancellationToken, Task> handler)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                lock (Handlers)
                    Handlers.Add(RunAsync(socket, handler));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task RunAsync(Socket socket, Func<Socket, CancellationToken, Task> handler)
    {
        using (socket)
        {
            try
            {
                await handler(socket, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }

    /// <summary>Reads until the peer finishes sending.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            received.Write(buffer, 0, read);
        return received.ToArray();
    }
}

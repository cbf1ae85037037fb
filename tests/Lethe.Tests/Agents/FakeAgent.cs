using System.Net.Sockets;
using System.Text;

namespace Lethe.Tests.Agents;

/// <summary>A host "agent" on a Unix socket in a private temp folder: it answers each read with "pong:" and the bytes.</summary>
public sealed class FakeAgent : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-agent-test-").FullName;
    private int _connections;
    private int _ended;

    public FakeAgent()
    {
        Path = System.IO.Path.Combine(_folder, "agent.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(64);
        _ = Task.Run(AcceptAsync);
    }

    public string Path { get; }

    /// <summary>When set, the agent closes each connection after its first answer.</summary>
    public bool CloseAfterAnswer { get; init; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections the other end closed (EOF seen).</summary>
    public int Ended => Volatile.Read(ref _ended);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = Task.Run(() => AnswerAsync(connection));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AnswerAsync(Socket connection)
    {
        using (connection)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                {
                    await connection.SendAsync(Encoding.UTF8.GetBytes("pong:").Concat(buffer[..read]).ToArray(), SocketFlags.None, _stop.Token);
                    if (CloseAfterAnswer)
                        return;
                }
                Interlocked.Increment(ref _ended);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }
    }

    public async Task WaitUntilAsync(Func<FakeAgent, bool> condition, CancellationToken stop)
    {
        while (!condition(this))
            await Task.Delay(10, stop);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

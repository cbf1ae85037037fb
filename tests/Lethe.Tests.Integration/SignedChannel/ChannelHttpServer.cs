using System.Net;
using System.Net.Sockets;

namespace Lethe.Tests.Integration.SignedChannel;

/// <summary>Serves a folder's files over HTTP on 127.0.0.1 for one test: GET only, 404 for anything missing.</summary>
public sealed class ChannelHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly string root;
    private readonly Task loop;
    private readonly CancellationTokenSource stop = new();

    public ChannelHttpServer(string root)
    {
        this.root = Path.GetFullPath(root);
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/channel/";
        listener.Prefixes.Add(Url);
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string Url { get; }
    public List<string> Requests { get; } = [];

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath["/channel/".Length..]);
        lock (Requests)
            Requests.Add(relative);
        var path = Path.GetFullPath(Path.Combine(root, relative));
        try
        {
            if (!path.StartsWith(root + "/", StringComparison.Ordinal) || !File.Exists(path))
            {
                context.Response.StatusCode = 404;
                return;
            }
            await using var file = File.OpenRead(path);
            context.Response.ContentLength64 = file.Length;
            await file.CopyToAsync(context.Response.OutputStream, stop.Token);
        }
        catch (Exception e) when (e is IOException or HttpListenerException or OperationCanceledException)
        {
            // The client went away (a refused download stops reading).
        }
        finally
        {
            try
            {
                context.Response.Close();
            }
            catch (Exception e) when (e is IOException or HttpListenerException or ObjectDisposedException)
            {
            }
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        listener.Close();
        await loop;
        stop.Dispose();
    }
}

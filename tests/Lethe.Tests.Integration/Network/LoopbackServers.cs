using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Lethe.Tests.Integration.Network;

/// <summary>
/// Servers on the host's 127.0.0.1 that the network tests reach from a guest, started and stopped by the
/// test. Each answers every connection the same way: HTTP and HTTPS with a fixed body, echo with a banner.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopbackServer(TcpListener listener, Func<Stream, CancellationToken, Task> serve)
    {
        _listener = listener;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await serve(client.GetStream(), _stop.Token).WaitAsync(TimeSpan.FromSeconds(30), _stop.Token);
                        }
                        catch (Exception)
                        {
                            // A refused handshake or a client that went away: the test looks at what the guest saw.
                        }
                    }
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections;

    public static LoopbackServer Http(string body, int port = 0) => Start(port, async (stream, stop) =>
    {
        await ReadRequestAsync(stream, stop);
        await stream.WriteAsync(Response(body), stop);
    });

    public static LoopbackServer Https(string body, int port = 0)
    {
        var certificate = SelfSigned();
        return Start(port, async (stream, stop) =>
        {
            await using var tls = new SslStream(stream);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stop);
            await ReadRequestAsync(tls, stop);
            await tls.WriteAsync(Response(body), stop);
        });
    }

    /// <summary>Says <paramref name="banner"/>, then echoes what it gets.</summary>
    public static LoopbackServer Echo(string banner, int port = 0) => Start(port, async (stream, stop) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(banner + "\n"), stop);
        var buffer = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(buffer, stop)) > 0)
            await stream.WriteAsync(buffer.AsMemory(0, read), stop);
    });

    private static LoopbackServer Start(int port, Func<Stream, CancellationToken, Task> serve)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        LoopbackServer? server = null;
        server = new LoopbackServer(listener, (stream, stop) =>
        {
            Interlocked.Increment(ref server!.Connections);
            return serve(stream, stop);
        });
        return server;
    }

    private static async Task ReadRequestAsync(Stream stream, CancellationToken stop)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, stop);
            if (read == 0)
                return;
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    private static byte[] Response(string body) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=lethe-test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}

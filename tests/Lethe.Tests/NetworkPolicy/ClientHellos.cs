using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>Real ClientHello bytes: .NET's own TLS client, caught by a plain socket on the loopback.</summary>
internal static class ClientHellos
{
    public static async Task<byte[]> CaptureAsync(string targetHost)
    {
        var stop = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, stop);
        using var server = await listener.AcceptTcpClientAsync(stop);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = targetHost }, stop);

        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        // The whole first handshake message: its records' lengths say when it is complete.
        while (!Complete(received))
        {
            var read = await server.GetStream().ReadAsync(buffer, timeout.Token);
            if (read == 0)
                break;
            received.AddRange(buffer.AsSpan(0, read));
        }
        server.Close();
        await Should.ThrowAsync<Exception>(async () => await handshake);
        return [.. received];
    }

    /// <summary>The same ClientHello split into two handshake records after <paramref name="firstLength"/> handshake bytes.</summary>
    public static byte[] SplitIntoTwoRecords(byte[] hello, int firstLength)
    {
        var length = hello[3] << 8 | hello[4];
        var handshake = hello.AsSpan(5, length).ToArray();
        return [.. Record(hello, handshake[..firstLength]), .. Record(hello, handshake[firstLength..]), .. hello[(5 + length)..]];
    }

    private static byte[] Record(byte[] template, byte[] body) =>
        [template[0], template[1], template[2], (byte)(body.Length >> 8), (byte)body.Length, .. body];

    private static bool Complete(List<byte> received)
    {
        if (received.Count < 9)
            return false;
        var handshakeLength = received[6] << 16 | received[7] << 8 | received[8];
        var position = 0;
        var collected = 0;
        while (position + 5 <= received.Count)
        {
            var recordLength = received[position + 3] << 8 | received[position + 4];
            if (position + 5 + recordLength > received.Count)
                return false;
            collected += recordLength;
            position += 5 + recordLength;
            if (collected >= 4 + handshakeLength)
                return true;
        }
        return false;
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lethe.Guest.Session;

/// <summary>
/// lethe-init relay PORT: stdin and stdout, byte for byte, to and from TCP 127.0.0.1:PORT in the guest.
/// lethe proxy runs it as root over the control channel, so that ssh reaches the guest's sshd through
/// the machine's own channel and no port is ever open on the host.
/// </summary>
internal static class Relay
{
    public static int Run(string portText)
    {
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            Console.Error.WriteLine($"lethe-init relay: not a port: {portText}");
            return 2;
        }
        using var socket = Connect(port);
        if (socket is null)
            return 1;
        using var network = new NetworkStream(socket, ownsSocket: false);
        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        _ = Task.Run(async () =>
        {
            try
            {
                await stdin.CopyToAsync(network).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        });
        try
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = network.Read(buffer)) > 0)
            {
                stdout.Write(buffer, 0, read);
                stdout.Flush();
            }
        }
        catch (IOException)
        {
            // The server reset the connection: the relay ends as it would at its end of file.
        }
        return 0;
    }

    /// <summary>Refused connections are retried for a while: under init: systemd, ssh.service may start
    /// a little after the machine reported ready.</summary>
    private static Socket? Connect(int port)
    {
        var deadline = DateTime.UtcNow + ConnectPatience;
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(IPAddress.Loopback, port);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                if (e.SocketErrorCode != SocketError.ConnectionRefused || DateTime.UtcNow > deadline)
                {
                    Console.Error.WriteLine($"lethe-init relay: cannot connect to 127.0.0.1:{port}: {e.Message}");
                    return null;
                }
                Thread.Sleep(200);
            }
        }
    }

    private static readonly TimeSpan ConnectPatience = TimeSpan.FromSeconds(30);
}

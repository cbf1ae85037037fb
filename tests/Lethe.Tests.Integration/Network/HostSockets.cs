using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Lethe.Tests.Integration.Network;

/// <summary>The host side of the network tests: its own address, free ports, and whether a port answers.</summary>
public static class HostSockets
{
    /// <summary>An IPv4 address of this host's own other than loopback (the gateway must refuse it), if it has one.</summary>
    public static IPAddress? OwnAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts a connection at ADDRESS:PORT within 2 s; sends <paramref name="send"/> if so.</summary>
    public static bool Reaches(IPAddress address, int port, string? send = null)
    {
        using var client = new TcpClient();
        try
        {
            if (!client.ConnectAsync(address, port, TestContext.Current.CancellationToken).AsTask().Wait(TimeSpan.FromSeconds(2)))
                return false;
            if (send is not null)
                client.GetStream().Write(System.Text.Encoding.ASCII.GetBytes(send));
            return true;
        }
        catch (Exception e) when (e is AggregateException or IOException or SocketException)
        {
            return false;
        }
    }
}

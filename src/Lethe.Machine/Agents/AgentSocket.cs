using System.Net.Sockets;

namespace Lethe.Machine.Agents;

/// <summary>A connection to a host agent's Unix socket.</summary>
public static class AgentSocket
{
    public static async Task<Socket> ConnectAsync(string path, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), stop).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

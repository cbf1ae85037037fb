using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Network.Gateway;

/// <summary>
/// The guest's network: a user-space IPv4 stack at the far end of QEMU's <c>-netdev socket,fd=N</c> that
/// terminates the guest's traffic and relays what <see cref="IGatewayPolicy"/> allows through host sockets,
/// and the host's 127.0.0.1 port forwards into the guest. It lives in the process that owns QEMU, so it
/// dies with it.
/// </summary>
public sealed class NetworkGateway : IAsyncDisposable
{
    private readonly Socket _link;
    private readonly SafeFileHandle _qemuEnd;
    private readonly GatewayLoop _loop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _running;
    private readonly Lock _forwardsLock = new();
    private readonly Dictionary<int, (PortForward Forward, Socket Listener)> _forwards = [];
    private readonly List<Task> _acceptLoops = [];
    private bool _disposed;

    private NetworkGateway(Socket link, SafeFileHandle qemuEnd, IGatewayPolicy policy, GatewayOptions options)
    {
        _link = link;
        _qemuEnd = qemuEnd;
        _loop = new GatewayLoop(link, policy, options, _stopping.Token);
        _running = Task.Run(_loop.RunAsync);
    }

    public static NetworkGateway Start(IGatewayPolicy policy, GatewayOptions options)
    {
        var (link, qemuEnd) = LinkSocketPair.Create();
        return new NetworkGateway(link, qemuEnd, policy, options);
    }

    /// <summary>The end QEMU inherits as <c>-netdev socket,id=net0,fd=N</c>. It is close-on-exec: pass it to the
    /// launcher's inherited handles, which clears that flag only while QEMU is forked.</summary>
    public SafeHandle QemuEnd => _qemuEnd;

    /// <summary>Closes lethe's copy of QEMU's end once QEMU holds its own, so the link ends when QEMU does.</summary>
    public void CloseQemuEnd() => _qemuEnd.Dispose();

    /// <summary>Guest frames or gateway events whose handling threw and were dropped for it: a bug, so 0 in tests.</summary>
    public int FrameFaults => _loop.Faults;

    public IReadOnlyList<PortForward> Forwards
    {
        get
        {
            lock (_forwardsLock)
                return [.. _forwards.Values.Select(f => f.Forward).OrderBy(f => f.HostPort)];
        }
    }

    /// <summary>Listens on 127.0.0.1:<paramref name="hostPort"/> (never another address); each connection accepted
    /// there becomes a TCP connection from the gateway into the guest's <paramref name="guestPort"/>.</summary>
    public PortForward AddForward(int hostPort, int guestPort, ForwardOrigin origin)
    {
        if (hostPort is < 1 or > 65535 || guestPort is < 1 or > 65535)
            throw new ForwardUnavailableException(hostPort, $"ports must be 1-65535 (got {hostPort}:{guestPort})");
        var forward = new PortForward(hostPort, guestPort, origin);
        lock (_forwardsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_forwards.ContainsKey(hostPort))
                throw new ForwardUnavailableException(hostPort, "already forwarded");
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, hostPort));
                listener.Listen(64);
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new ForwardUnavailableException(hostPort, e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is in use" : e.Message);
            }
            _forwards.Add(hostPort, (forward, listener));
            _acceptLoops.RemoveAll(task => task.IsCompleted);
            _acceptLoops.Add(AcceptAsync(listener, guestPort));
        }
        return forward;
    }

    /// <summary>Stops listening on the host port; connections already forwarded carry on.</summary>
    public bool RemoveForward(int hostPort)
    {
        lock (_forwardsLock)
        {
            if (!_forwards.Remove(hostPort, out var entry))
                return false;
            entry.Listener.Dispose();
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> acceptLoops;
        lock (_forwardsLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var (_, listener) in _forwards.Values)
                listener.Dispose();
            _forwards.Clear();
            acceptLoops = [.. _acceptLoops];
        }
        _stopping.Cancel();
        _link.Dispose();
        _qemuEnd.Dispose();
        await Task.WhenAll(acceptLoops).ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Socket listener, int guestPort)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(_stopping.Token);
                _loop.Post(new ForwardAccepted(client, guestPort));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the forward was removed or the gateway is stopping
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lethe.Machine.Network.Gateway;
using Lethe.Protocol;

namespace Lethe.Tests.Network;

/// <summary>
/// A real Linux TCP/IP stack as the guest (root only): a TAP device in a fresh network namespace, configured
/// as lethe's guest configures eth0, with its frames relayed to and from the gateway's socketpair.
/// </summary>
internal sealed class TapGuest : IAsyncDisposable
{
    private const int O_RDWR = 2, O_CLOEXEC = 0x80000, IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, POLLIN = 1;
    private const uint TUNSETIFF = 0x400454ca;

    private readonly Socket _link;
    private readonly int _tap;
    private readonly Thread _toGateway, _toTap;
    private volatile bool _stopping;

    private TapGuest(NetworkGateway gateway, string name)
    {
        Namespace = name;
        _tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        _tap.ShouldBeGreaterThanOrEqualTo(0);
        var request = new byte[40];
        System.Text.Encoding.ASCII.GetBytes(name, request);
        BinaryPrimitives.WriteInt16LittleEndian(request.AsSpan(16), IFF_TAP | IFF_NO_PI);
        ioctl(_tap, TUNSETIFF, request).ShouldBe(0);
        _link = new Socket(new SafeSocketHandle(dup((int)gateway.QemuEnd.DangerousGetHandle()), ownsHandle: true));
        gateway.CloseQemuEnd();
        _toGateway = new Thread(TapToGateway) { IsBackground = true };
        _toTap = new Thread(GatewayToTap) { IsBackground = true };
        _toGateway.Start();
        _toTap.Start();
    }

    public string Namespace { get; }

    public static bool Possible => Lethe.Core.PosixFiles.EffectiveUid == 0 && File.Exists("/dev/net/tun") && File.Exists("/usr/sbin/ip");

    public static async Task<TapGuest> StartAsync(NetworkGateway gateway, CancellationToken cancellationToken)
    {
        var name = $"lgw{Environment.ProcessId % 10000}{Random.Shared.Next(1000)}";
        await RunAsync(cancellationToken, "ip", "netns", "add", name);
        var guest = new TapGuest(gateway, name);
        try
        {
            await RunAsync(cancellationToken, "ip", "link", "set", name, "netns", name);
            await RunAsync(cancellationToken, "ip", "-n", name, "link", "set", name, "address", NetworkLayout.GuestMac, "mtu", NetworkLayout.Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await RunAsync(cancellationToken, "ip", "-n", name, "addr", "add", $"{NetworkLayout.Guest}/{NetworkLayout.PrefixLength}", "dev", name);
            await RunAsync(cancellationToken, "ip", "-n", name, "link", "set", name, "up");
            await RunAsync(cancellationToken, "ip", "-n", name, "link", "set", "lo", "up");
            await RunAsync(cancellationToken, "ip", "-n", name, "route", "add", "default", "via", NetworkLayout.Gateway.ToString());
            return guest;
        }
        catch
        {
            await guest.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a program inside the guest's namespace; returns its standard output.</summary>
    public Task<string> ExecAsync(CancellationToken cancellationToken, params string[] command) =>
        RunAsync(cancellationToken, ["ip", "netns", "exec", Namespace, .. command]);

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _link.Shutdown(SocketShutdown.Both);
        _toGateway.Join();
        _toTap.Join();
        _link.Dispose();
        close(_tap);
        await RunAsync(CancellationToken.None, "ip", "netns", "del", Namespace);
    }

    private static async Task<string> RunAsync(CancellationToken cancellationToken, params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command[1..])
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.ExitCode.ShouldBe(0, $"{string.Join(' ', command)}: {await error}");
        return await output;
    }

    private void TapToGateway()
    {
        var frame = new byte[4 + 65536];
        var poll = new PollFd[] { new() { Fd = _tap, Events = POLLIN } };
        while (!_stopping)
        {
            if (PollOne(poll, 100) <= 0)
                continue;
            var length = read(_tap, ref frame[4], frame.Length - 4);
            if (length <= 0)
                continue;
            BinaryPrimitives.WriteInt32BigEndian(frame, (int)length);
            try
            {
                _link.Send(frame, 0, (int)length + 4, SocketFlags.None);
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    private void GatewayToTap()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (!_stopping)
        {
            int received;
            try
            {
                received = _link.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            }
            catch (SocketException)
            {
                return;
            }
            if (received == 0)
                return;
            filled += received;
            var at = 0;
            while (filled - at >= 4)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(at));
                if (filled - at - 4 < length)
                    break;
                write(_tap, ref buffer[at + 4], length);
                at += 4 + length;
            }
            buffer.AsSpan(at, filled - at).CopyTo(buffer);
            filled -= at;
        }
    }

    private static int PollOne(PollFd[] fds, int timeoutMs) => poll(fds, 1, timeoutMs);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project.
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, uint request, byte[] argument);
    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);
    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeout);
    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, ref byte buffer, nint count);
    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref byte buffer, nint count);
#pragma warning restore SYSLIB1054
}

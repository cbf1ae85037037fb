using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Network.Gateway;

/// <summary>The AF_UNIX stream socketpair between QEMU's netdev and the gateway. Both ends are close-on-exec;
/// lethe's launcher clears that on QEMU's end only while forking QEMU.</summary>
internal static class LinkSocketPair
{
    private const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;

    public static (Socket Gateway, SafeFileHandle Qemu) Create()
    {
        var fds = new int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            throw new Lethe.Core.HostException($"cannot make the network socketpair: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var qemu = new SafeFileHandle(fds[1], ownsHandle: true);
        try
        {
            var gateway = new Socket(new SafeSocketHandle(fds[0], ownsHandle: true));
            // Large kernel buffers let many frames pass per system call both ways.
            gateway.SendBufferSize = 1 << 20;
            gateway.ReceiveBufferSize = 1 << 20;
            return (gateway, qemu);
        }
        catch
        {
            qemu.Dispose();
            throw;
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project; an int array marshals as it is.
    [DllImport("libc", SetLastError = true)]
    private static extern int socketpair(int domain, int type, int protocol, [Out] int[] fds);
#pragma warning restore SYSLIB1054
}

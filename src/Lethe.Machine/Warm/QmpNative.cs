using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Warm;

/// <summary>The QMP socketpair, and sendmsg with one SCM_RIGHTS fd (QEMU's getfd takes the fd sent with the command's bytes).</summary>
internal static class QmpNative
{
    private const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000;
    private const int EAGAIN = 11, EINTR = 4;

    /// <summary>Both ends close-on-exec; lethe's launcher clears that on QEMU's end only while forking QEMU.</summary>
    public static (SafeSocketHandle Lethe, SafeFileHandle Qemu) SocketPair()
    {
        var fds = new int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            throw new Lethe.Core.HostException($"cannot make the QMP socketpair: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return (new SafeSocketHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>Sends all of <paramref name="bytes"/> with <paramref name="passed"/> attached to the first byte.</summary>
    public static void SendWithFd(SafeSocketHandle socket, byte[] bytes, SafeHandle passed, CancellationToken stop)
    {
        var added = false;
        var addedPassed = false;
        socket.DangerousAddRef(ref added);
        passed.DangerousAddRef(ref addedPassed);
        var data = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        var iov = Marshal.AllocHGlobal(16);
        const int controlBytes = 24; // CMSG_SPACE(sizeof(int)) on 64-bit Linux
        var control = Marshal.AllocHGlobal(controlBytes);
        try
        {
            Marshal.WriteInt64(control, 0, 20); // CMSG_LEN(sizeof(int))
            Marshal.WriteInt32(control, 8, SOL_SOCKET);
            Marshal.WriteInt32(control, 12, SCM_RIGHTS);
            Marshal.WriteInt32(control, 16, (int)passed.DangerousGetHandle());
            Marshal.WriteInt32(control, 20, 0);
            var sent = 0;
            while (sent < bytes.Length)
            {
                Marshal.WriteIntPtr(iov, 0, data.AddrOfPinnedObject() + sent);
                Marshal.WriteInt64(iov, 8, bytes.Length - sent);
                var header = new MsgHdr { Iov = iov, IovLength = 1, Control = sent == 0 ? control : 0, ControlLength = sent == 0 ? controlBytes : 0 };
                var n = sendmsg((int)socket.DangerousGetHandle(), ref header, MSG_NOSIGNAL);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is EAGAIN or EINTR)
                    {
                        stop.ThrowIfCancellationRequested();
                        Thread.Sleep(1);
                        continue;
                    }
                    throw new IOException($"cannot send to QEMU's monitor: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                sent += (int)n;
            }
        }
        finally
        {
            Marshal.FreeHGlobal(control);
            Marshal.FreeHGlobal(iov);
            data.Free();
            if (addedPassed)
                passed.DangerousRelease();
            if (added)
                socket.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public int NameLength;
        public nint Iov;
        public nint IovLength;
        public nint Control;
        public nint ControlLength;
        public int Flags;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project.
    [DllImport("libc", SetLastError = true)]
    private static extern int socketpair(int domain, int type, int protocol, [Out] int[] fds);

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendmsg(int socket, ref MsgHdr message, int flags);
#pragma warning restore SYSLIB1054
}

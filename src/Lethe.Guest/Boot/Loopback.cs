using Lethe.Guest.Native;

namespace Lethe.Guest.Boot;

/// <summary>Brings up "lo" (SIOCSIFFLAGS) so that programs that talk to localhost work without iproute2.</summary>
internal static unsafe class Loopback
{
    private const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private const short IFF_UP = 1;

    public static void Up()
    {
        var fd = Libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        Libc.Check(fd, "socket");
        try
        {
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            request[0] = (byte)'l';
            request[1] = (byte)'o';
            Libc.Check(Libc.ioctl(fd, SIOCGIFFLAGS, request), "SIOCGIFFLAGS lo");
            *(short*)(request + 16) |= IFF_UP;
            Libc.Check(Libc.ioctl(fd, SIOCSIFFLAGS, request), "SIOCSIFFLAGS lo");
        }
        finally
        {
            Libc.close(fd);
        }
    }
}

using System.Net;

namespace Lethe.Guest.Native;

/// <summary>
/// The classic interface and route ioctls (netdevice(7), route(4)) on an AF_INET datagram socket: enough to
/// give one interface an IPv4 address, bring it up and add a default route, without iproute2 or netlink.
/// </summary>
internal sealed unsafe class InterfaceControl : IDisposable
{
    private const ulong SIOCADDRT = 0x890B, SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFADDR = 0x8916, SIOCSIFNETMASK = 0x891C;
    private const short IFF_UP = 1;
    private const ushort RTF_UP = 1, RTF_GATEWAY = 2;
    private const int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    // struct ifreq: a 16-byte name, then a 24-byte union (a struct sockaddr, or the flags as a short).
    private const int IfreqSize = 40, IfNameSize = 16;
    // struct rtentry on x86-64: rt_dst at 8, rt_gateway at 24, rt_genmask at 40, rt_flags at 56, rt_dev at 88; 120 bytes.
    private const int RtentrySize = 120, RtDst = 8, RtGateway = 24, RtGenmask = 40, RtFlags = 56, RtDev = 88;

    private readonly int _fd;

    public InterfaceControl()
    {
        _fd = Libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        Libc.Check(_fd, "socket");
    }

    public void SetAddress(string name, IPAddress address) => SetSockaddr(name, SIOCSIFADDR, address, "SIOCSIFADDR");

    public void SetNetmask(string name, IPAddress netmask) => SetSockaddr(name, SIOCSIFNETMASK, netmask, "SIOCSIFNETMASK");

    public void Up(string name)
    {
        var request = stackalloc byte[IfreqSize];
        Request(request, name);
        Libc.Check(Libc.ioctl(_fd, SIOCGIFFLAGS, request), "SIOCGIFFLAGS " + name);
        *(short*)(request + IfNameSize) |= IFF_UP;
        Libc.Check(Libc.ioctl(_fd, SIOCSIFFLAGS, request), "SIOCSIFFLAGS " + name);
    }

    /// <summary>0.0.0.0/0 via <paramref name="gateway"/> on <paramref name="name"/>.</summary>
    public void AddDefaultRoute(string name, IPAddress gateway)
    {
        var route = stackalloc byte[RtentrySize];
        new Span<byte>(route, RtentrySize).Clear();
        Sockaddr(route + RtDst, IPAddress.Any);
        Sockaddr(route + RtGateway, gateway);
        Sockaddr(route + RtGenmask, IPAddress.Any);
        *(ushort*)(route + RtFlags) = RTF_UP | RTF_GATEWAY;
        var device = stackalloc byte[IfNameSize];
        Name(device, name);
        *(byte**)(route + RtDev) = device;
        Libc.Check(Libc.ioctl(_fd, SIOCADDRT, route), $"SIOCADDRT default via {gateway}");
    }

    private void SetSockaddr(string name, ulong request, IPAddress address, string what)
    {
        var buffer = stackalloc byte[IfreqSize];
        Request(buffer, name);
        Sockaddr(buffer + IfNameSize, address);
        Libc.Check(Libc.ioctl(_fd, request, buffer), $"{what} {name} {address}");
    }

    private static void Request(byte* buffer, string name)
    {
        new Span<byte>(buffer, IfreqSize).Clear();
        Name(buffer, name);
    }

    private static void Name(byte* buffer, string name)
    {
        var span = new Span<byte>(buffer, IfNameSize);
        span.Clear();
        if (System.Text.Encoding.ASCII.GetBytes(name, span[..(IfNameSize - 1)]) != name.Length)
            throw new ArgumentException($"interface name too long: {name}", nameof(name));
    }

    /// <summary>A struct sockaddr_in: family, port 0, the address in network order.</summary>
    private static void Sockaddr(byte* at, IPAddress address)
    {
        new Span<byte>(at, 16).Clear();
        *(ushort*)at = AF_INET;
        address.GetAddressBytes().CopyTo(new Span<byte>(at + 4, 4));
    }

    public void Dispose() => Libc.close(_fd);
}

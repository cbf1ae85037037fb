using System.Net.Sockets;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;

namespace Lethe.Tests.Network;

/// <summary>QEMU's end of the gateway's socketpair is closed in lethe whatever happens, so the gateway sees QEMU go.</summary>
public sealed class GatewaySocketHandoverTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-gw-").FullName;

    private QemuLaunch Launch(QemuNetwork network) => new()
    {
        Binary = "/nonexistent/qemu", Accelerator = Lethe.Machine.Accel.Accelerator.Tcg, MemoryMiB = 64, Cpus = 1,
        Kernel = "/nonexistent/k", Initramfs = "/nonexistent/i", RootImage = "/nonexistent/r", ConsoleLog = Path.Combine(_folder, "console.log"),
        Network = network,
    };

    [Fact(Timeout = 30_000)]
    public async Task A_socket_for_a_launch_without_the_gateway_is_refused_and_closed()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await Should.ThrowAsync<ArgumentException>(() => VirtualMachine.StartAsync(Launch(QemuNetwork.None), account: null, gatewaySocket: socket.SafeHandle));
        socket.SafeHandle.IsClosed.ShouldBeTrue();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_launch_that_fails_to_start_still_closes_the_socket()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await Should.ThrowAsync<Exception>(() => VirtualMachine.StartAsync(Launch(QemuNetwork.Gateway), account: null, gatewaySocket: socket.SafeHandle));
        socket.SafeHandle.IsClosed.ShouldBeTrue();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

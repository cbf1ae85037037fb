using Lethe.Machine.Accel;
using Lethe.Machine.Qemu;
using Lethe.Protocol;

namespace Lethe.Tests.Machine;

public sealed class QemuNetworkArgumentsTests
{
    private static readonly QemuLaunch Launch = new()
    {
        Accelerator = Accelerator.Tcg, MemoryMiB = 1024, Cpus = 2, Kernel = "/k", Initramfs = "/i", RootImage = "/r", ConsoleLog = "/c",
    };

    private static readonly VmmTools Tools = new("/opt/lethe/lethe-init", "/usr/bin/setpriv", "/usr/bin/qemu-system-x86_64");
    private static readonly VmmFds Fds = new(Kernel: 11, Initramfs: 12, Root: 13, Console: 14);

    private static List<string> Values(IReadOnlyList<string> args, string flag) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == flag && p.i + 1 < args.Count).Select(p => args[p.i + 1]).ToList();

    [Fact]
    public void Mode_none_has_no_network_device_at_all()
    {
        var args = QemuArguments.Build(Launch);
        args.ShouldNotContain("-netdev");
        args.ShouldNotContain(a => a.Contains("virtio-net", StringComparison.Ordinal));
        // -nodefaults keeps QEMU from adding a NIC of its own.
        args.ShouldContain("-nodefaults");
    }

    [Fact]
    public void The_gateway_is_an_inherited_socket_fd_behind_one_virtio_net_device_with_the_guests_mac()
    {
        var argv = VmmCommandLine.Argv(Launch with { Network = QemuNetwork.Gateway }, account: null, Tools, Fds with { Network = 19 });
        Values(argv, "-netdev").ShouldBe(["socket,id=net0,fd=19"]);
        Values(argv, "-device").Where(d => d.StartsWith("virtio-net", StringComparison.Ordinal))
            .ShouldBe([$"virtio-net-device,netdev=net0,mac={NetworkLayout.GuestMac}"]);
    }

    [Fact]
    public void The_gateway_without_its_fd_is_refused_rather_than_launched_without_a_backend()
    {
        Should.Throw<ArgumentException>(() => VmmCommandLine.Argv(Launch with { Network = QemuNetwork.Gateway }, account: null, Tools, Fds));
        Should.Throw<ArgumentException>(() => QemuArguments.Build(Launch with { Network = QemuNetwork.Gateway }));
    }

    [Fact]
    public void An_fd_given_without_the_gateway_backend_is_not_used()
    {
        var argv = VmmCommandLine.Argv(Launch, account: null, Tools, Fds with { Network = 19 });
        argv.ShouldNotContain("-netdev");
        argv.ShouldNotContain(a => a.Contains("fd=19", StringComparison.Ordinal));
    }

    [Fact]
    public void Qemu_user_networking_for_the_bench_uses_the_same_addresses_and_forwards_nothing()
    {
        var args = QemuArguments.Build(Launch with { Network = QemuNetwork.User });
        var netdev = Values(args, "-netdev").ShouldHaveSingleItem();
        netdev.ShouldBe("user,id=net0,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3");
        netdev.ShouldNotContain("hostfwd");
        netdev.ShouldNotContain("guestfwd");
        netdev.ShouldNotContain("smb");
        Values(args, "-device").ShouldContain($"virtio-net-device,netdev=net0,mac={NetworkLayout.GuestMac}");
    }

    [Fact]
    public void The_network_keeps_qemus_sandbox()
    {
        var args = QemuArguments.Build(Launch with { Network = QemuNetwork.User });
        Values(args, "-sandbox").ShouldHaveSingleItem().ShouldContain("spawn=deny");
    }
}

using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;
using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Tests.Network;

public sealed class NetworkSeedTests
{
    private static BootRequest Boot(BootNetwork? network) => new()
    {
        Spec = SpecLoader.Parse("name: n\n", null).Spec.ShouldNotBeNull(),
        Image = new ImageSet("digest", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1.0", [], true),
        Accel = new AccelDecision(Accelerator.Tcg, "test"),
        MemoryMiB = 1024,
        Cpus = 1,
        Network = network,
    };

    [Fact]
    public void A_boot_without_a_network_has_none_in_its_seed_or_its_qemu()
    {
        SeedBuilder.For(Boot(null)).Network.ShouldBeNull();
        SeedBuilder.For(Boot(new BootNetwork { Backend = QemuNetwork.None })).Network.ShouldBeNull();
        new BootRequest { Spec = Boot(null).Spec, Image = Boot(null).Image, Accel = Boot(null).Accel, MemoryMiB = 1, Cpus = 1 }.Network
            .ShouldBeNull("no network until the gateway is wired in");
    }

    [Fact]
    public void A_boot_through_the_gateway_tells_the_guest_to_configure_its_network_and_whether_to_report_listeners()
    {
        using var socket = new SafeFileHandle(IntPtr.Zero, ownsHandle: false);
        SeedBuilder.For(Boot(BootNetwork.ThroughGateway(socket))).Network.ShouldBe(new NetworkSeed(ReportListening: false));
        SeedBuilder.For(Boot(BootNetwork.ThroughGateway(socket, reportListening: true))).Network.ShouldBe(new NetworkSeed(ReportListening: true));
        SeedBuilder.For(Boot(BootNetwork.QemuUser())).Network.ShouldNotBeNull();
    }

    [Fact]
    public void The_network_seed_survives_the_trip_through_json()
    {
        var seed = SeedBuilder.For(Boot(BootNetwork.QemuUser(reportListening: true)));
        var json = ProtocolJson.Serialize(seed);
        ProtocolJson.DeserializeSeed(json).ShouldNotBeNull().Network.ShouldBe(new NetworkSeed(true));
        ProtocolJson.DeserializeSeed(ProtocolJson.Serialize(SeedBuilder.For(Boot(null)))).ShouldNotBeNull().Network.ShouldBeNull();
    }
}

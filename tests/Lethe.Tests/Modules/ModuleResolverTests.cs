using Lethe.Core;
using Lethe.Image.Modules;

namespace Lethe.Tests.Modules;

public sealed class ModuleResolverTests
{
    // Lines copied from Debian bookworm's 6.1.0-50-amd64 modules.dep (trimmed to what the tests need).
    private const string ModulesDep = """
        kernel/arch/x86/crypto/crc32c-intel.ko:
        kernel/crypto/crc32c_generic.ko:
        kernel/crypto/xts.ko:
        kernel/crypto/ecb.ko:
        kernel/fs/mbcache.ko:
        kernel/fs/jbd2/jbd2.ko:
        kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
        kernel/fs/overlayfs/overlay.ko:
        kernel/fs/erofs/erofs.ko: kernel/lib/libcrc32c.ko
        kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
        kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
        kernel/fs/netfs/netfs.ko:
        kernel/lib/crc16.ko:
        kernel/lib/libcrc32c.ko:
        kernel/drivers/virtio/virtio.ko:
        kernel/drivers/virtio/virtio_ring.ko:
        kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/md/dm-mod.ko:
        kernel/drivers/md/dm-crypt.ko: kernel/drivers/md/dm-mod.ko
        kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
        kernel/net/core/failover.ko:
        kernel/net/9p/9pnet.ko:
        kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/net/vmw_vsock/vsock.ko:
        kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko: kernel/net/vmw_vsock/vsock.ko
        kernel/net/vmw_vsock/vmw_vsock_virtio_transport.ko: kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko kernel/net/vmw_vsock/vsock.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/usb/host/xhci-hcd.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
        kernel/drivers/usb/host/xhci-pci.ko: kernel/drivers/usb/host/xhci-hcd.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
        kernel/drivers/usb/common/usb-common.ko:
        kernel/drivers/usb/core/usbcore.ko: kernel/drivers/usb/common/usb-common.ko
        kernel/drivers/hid/hid.ko:
        kernel/drivers/hid/hid-generic.ko: kernel/drivers/hid/hid.ko
        kernel/drivers/hid/usbhid/usbhid.ko: kernel/drivers/hid/hid.ko kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko
        """;

    private const string ModulesBuiltin = """
        kernel/lib/crc32.ko
        kernel/net/unix/unix.ko
        kernel/net/packet/af_packet.ko
        """;

    [Fact]
    public void Every_wanted_module_of_the_debian_kernel_resolves_with_dependencies_first()
    {
        var table = ModuleResolver.Resolve(ModulesDep, ModulesBuiltin, WantedModules.All);

        var names = table.Entries.Select(entry => entry.Name).ToList();
        foreach (var wanted in WantedModules.All)
            names.ShouldContain(wanted.Name);
        foreach (var entry in table.Entries)
            foreach (var dependency in entry.Dependencies)
                names.IndexOf(dependency).ShouldBeLessThan(names.IndexOf(entry.Name), $"{dependency} before {entry.Name}");
        names.ShouldNotContain("crc32c_intel");
        table.Entries.Single(entry => entry.Name == "dm_crypt").Path.ShouldBe("kernel/drivers/md/dm-crypt.ko");
    }

    [Fact]
    public void Crc32c_is_loaded_before_libcrc32c_and_ext4_though_modules_dep_does_not_say_so()
    {
        var table = ModuleResolver.Resolve(ModulesDep, ModulesBuiltin, [new WantedModule("erofs"), new WantedModule("ext4")]);

        table.Entries.Single(entry => entry.Name == "libcrc32c").Dependencies.ShouldContain("crc32c_generic");
        table.Entries.Single(entry => entry.Name == "ext4").Dependencies.ShouldBe(["crc32c_generic", "crc16", "mbcache", "jbd2"]);
        table.LoadOrder(["erofs"]).Select(entry => entry.Name).ShouldBe(["crc32c_generic", "libcrc32c", "erofs"]);
    }

    [Fact]
    public void Xts_brings_ecb_which_it_asks_for_at_run_time()
    {
        var table = ModuleResolver.Resolve(ModulesDep, ModulesBuiltin, [new WantedModule("xts")]);

        table.Entries.Select(entry => entry.Name).ShouldBe(["ecb", "xts"]);
    }

    [Fact]
    public void Built_in_modules_are_skipped_silently()
    {
        var table = ModuleResolver.Resolve(ModulesDep, "kernel/fs/overlayfs/overlay.ko\nkernel/fs/fuse/virtiofs.ko\n",
            [new WantedModule("virtiofs"), new WantedModule("overlay")]);

        // overlay is in both: a module file wins, because the file is what the guest would load.
        table.Entries.Select(entry => entry.Name).ShouldBe(["overlay"]);
    }

    [Fact]
    public void A_wanted_module_the_kernel_lacks_is_an_error_naming_it()
    {
        var error = Should.Throw<LetheException>(() =>
            ModuleResolver.Resolve(ModulesDep, ModulesBuiltin, [new WantedModule("virtio_blk"), new WantedModule("nosuchfs")]));

        error.Message.ShouldContain("nosuchfs");
    }

    [Fact]
    public void An_optional_module_the_kernel_lacks_is_left_out()
    {
        var table = ModuleResolver.Resolve("kernel/fs/overlayfs/overlay.ko:\n", "", [new WantedModule("overlay"), new WantedModule("vsock", Optional: true)]);

        table.Entries.Select(entry => entry.Name).ShouldBe(["overlay"]);
    }

    [Fact]
    public void Soft_dependencies_the_kernel_lacks_are_left_out()
    {
        var table = ModuleResolver.Resolve("kernel/lib/libcrc32c.ko:\n", "kernel/crypto/crc32c_generic.ko\n", [new WantedModule("libcrc32c")]);

        table.Entries.ShouldHaveSingleItem().Dependencies.ShouldBeEmpty();
    }

    [Fact]
    public void A_dependency_cycle_is_reported()
    {
        Should.Throw<LetheException>(() => ModuleResolver.Resolve("a.ko: b.ko\nb.ko: a.ko\n", "", [new WantedModule("a")]))
            .Message.ShouldContain("cycle");
    }

    [Theory]
    [InlineData("kernel/drivers/md/dm-crypt.ko", "dm_crypt")]
    [InlineData("kernel/fs/erofs/erofs.ko.xz", "erofs")]
    [InlineData("kernel/arch/x86/crypto/crc32c-intel.ko.zst", "crc32c_intel")]
    public void Module_names_come_from_file_names(string path, string name) => ModuleResolver.NameOf(path).ShouldBe(name);
}

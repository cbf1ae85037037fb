namespace Lethe.Image.Modules;

/// <summary>Modules one guest feature needs. Optional ones are taken only when the kernel has them.</summary>
public sealed record ModuleGroup(string Feature, IReadOnlyList<string> Required, IReadOnlyList<string> Optional);

/// <summary>A module name to put into the initramfs, and whether its absence is an error.</summary>
public sealed record WantedModule(string Name, bool Optional = false);

/// <summary>
/// The kernel modules the initramfs carries, by feature. The guest loads a feature's modules (and their
/// dependencies) only when the run uses it; anything built into the kernel is skipped.
/// </summary>
public static class WantedModules
{
    public static readonly ModuleGroup Base = new("base", ["virtio_mmio", "virtio_blk", "virtio_console", "erofs", "overlay"], []);
    public static readonly ModuleGroup Persist = new("persist", ["ext4"], []);
    /// <summary>Plain dm-crypt with aes-xts-plain64: xts (and ecb, which xts asks for) are separate modules.</summary>
    public static readonly ModuleGroup Scratch = new("scratch", ["dm_mod", "dm_crypt", "xts", "ecb"], []);
    public static readonly ModuleGroup Workspace = new("workspace", ["9p", "9pnet_virtio"], []);
    public static readonly ModuleGroup Network = new("network", ["virtio_net"], []);
    public static readonly ModuleGroup Vsock = new("vsock", [], ["vsock", "vmw_vsock_virtio_transport"]);
    /// <summary>usb: the xHCI controller on the microvm's PCIe bus; a security key's HID driver when the kernel has it as a module.</summary>
    public static readonly ModuleGroup Usb = new("usb", ["xhci_pci"], ["usbhid", "hid_generic"]);

    public static readonly IReadOnlyList<ModuleGroup> Groups = [Base, Persist, Scratch, Workspace, Network, Vsock, Usb];

    /// <summary>Every wanted module of every group, in group order.</summary>
    public static IReadOnlyList<WantedModule> All =>
    [
        .. Groups.SelectMany(group => group.Required.Select(name => new WantedModule(name))
            .Concat(group.Optional.Select(name => new WantedModule(name, Optional: true)))),
    ];

    /// <summary>
    /// Dependencies that modules.dep does not list because the kernel asks for them by algorithm name
    /// at run time (through modprobe, which the initramfs does not have).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> SoftDependencies =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["libcrc32c"] = ["crc32c_generic"],
            ["ext4"] = ["crc32c_generic"],
            ["jbd2"] = ["crc32c_generic"],
            ["xts"] = ["ecb"],
        };
}

namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: which kernel modules the guest loads, and when. Before its seed the guest loads the base modules and
/// those of every device QEMU gave it, so that a warm snapshot (taken there) already holds them and a restore
/// skips loading them. After the seed, what the seed asks for; modules already loaded are skipped.
/// </summary>
public static class ModulePlan
{
    /// <summary>Modules every boot needs: the transport, the disks, the control port, the root's filesystems.</summary>
    public static readonly IReadOnlyList<string> Base = ["virtio_mmio", "virtio_blk", "virtio_console", "erofs", "overlay"];

    /// <summary>The persist disk's filesystem; the module table brings its dependencies (crc32c_generic, jbd2, …).</summary>
    public static readonly IReadOnlyList<string> Persist = ["ext4"];

    /// <summary>Virtio device ids (the virtio specification's numbering) as /sys/bus/virtio/devices/*/device gives them.</summary>
    public const int VirtioNetwork = 1;
    public const int Virtio9p = 9;

    /// <summary>The modules of the devices present before the seed: disks by their serials, other devices by virtio id.</summary>
    public static IReadOnlyList<string> ForDevices(IReadOnlyCollection<int> virtioDeviceIds, IReadOnlyCollection<string> diskSerials) =>
    [
        .. diskSerials.Contains(SeedLayout.PersistDiskSerial) ? Persist : [],
        .. virtioDeviceIds.Contains(Virtio9p) ? WorkspacePlan.Modules : [],
        .. diskSerials.Contains(SeedLayout.ScratchDiskSerial) ? ScratchPlan.Modules : [],
        .. virtioDeviceIds.Contains(VirtioNetwork) ? NetworkPlan.Modules : [],
    ];

    /// <summary>The modules the seed's features need.</summary>
    public static IReadOnlyList<string> ForSeed(GuestSeed seed) =>
    [
        .. seed.Persist is null ? [] : Persist,
        .. seed.Workspace is null ? [] : WorkspacePlan.Modules,
        .. seed.Scratch is null ? [] : ScratchPlan.Modules,
        .. seed.Network is null ? [] : NetworkPlan.Modules,
        .. seed.Usb ? UsbPlan.Modules : [],
    ];
}

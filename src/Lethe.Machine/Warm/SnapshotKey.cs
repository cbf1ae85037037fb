using System.Security.Cryptography;
using System.Text;
using Lethe.Machine.Qemu;

namespace Lethe.Machine.Warm;

/// <summary>
/// Pure: the name of a warm snapshot. A migration stream restores only into a QEMU of the same version,
/// accelerator, memory, cpus and device set, booted from the same kernel, initramfs (guest init) and image;
/// so the key is a digest of QEMU's whole argv with every path and fd replaced by a placeholder (the shape:
/// which disks, which share, which network device exist), the disks' sizes, plus the digests of what the paths held.
/// A new QEMU option anywhere in <see cref="QemuArguments"/> changes the key by itself.
/// </summary>
public static class SnapshotKey
{
    /// <param name="diskBytes">The sizes of the launch's persist and scratch disks (the guest's kernel reads them before the snapshot).</param>
    public static string For(QemuLaunch launch, string imageDigest, string guestInitDigest, string qemuVersion, DiskSizes diskBytes = default)
    {
        var text = new StringBuilder()
            .Append("lethe-warm 2\n")
            .Append(FormattableString.Invariant($"disks persist {diskBytes.Persist} scratch {diskBytes.Scratch}\n"))
            .Append("image ").Append(imageDigest).Append('\n')
            .Append("init ").Append(guestInitDigest).Append('\n')
            .Append("qemu ").Append(qemuVersion.Trim()).Append('\n')
            .AppendJoin('\n', QemuArguments.Build(Shape(launch)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The launch's disk sizes in bytes (0: no such disk).</summary>
    public readonly record struct DiskSizes(long Persist, long Scratch);

    /// <summary>The launch with its paths and fds made constant: what must match, without what differs per run.</summary>
    public static QemuLaunch Shape(QemuLaunch launch) => launch with
    {
        Kernel = "kernel",
        Initramfs = "initramfs",
        RootImage = "root",
        ConsoleLog = "console",
        PersistDisk = launch.PersistDisk is null ? null : "persist",
        ScratchDisk = launch.ScratchDisk is null ? null : "scratch",
        Workspace = launch.Workspace is { } share ? share with { HostPath = "workspace" } : null,
        FdSets = [],
        NetworkFd = launch.Network == QemuNetwork.Gateway ? 0 : null,
        QmpFd = null,
        IncomingFd = null,
    };
}

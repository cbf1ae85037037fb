namespace Lethe.Machine.Qemu;

/// <summary>The host programs a QEMU launch runs through, by absolute path (QEMU's environment has no PATH).</summary>
public sealed record VmmTools(string Confine, string Setpriv, string Qemu);

/// <summary>
/// The fd numbers lethe opened for QEMU (in lethe, inherited by QEMU under the same numbers). A writable
/// disk has a read-write and a read-only fd: QEMU's block layer first opens it read-only, and an fd set
/// only answers an open whose access mode one of its fds has.
/// </summary>
/// <param name="Network">The gateway's socket (QEMU's end), for <see cref="QemuNetwork.Gateway"/>.</param>
public sealed record VmmFds(int Kernel, int Initramfs, int Root, int Console, IReadOnlyList<int>? Persist = null, IReadOnlyList<int>? Scratch = null,
    int? Network = null, int? Qmp = null, int? Incoming = null);

/// <summary>
/// Pure: the whole argv of a QEMU launch. lethe-init confine (no_new_privs, no core dumps, the share's
/// seccomp filter) execs setpriv (parent-death signal; as root, the unprivileged account), which execs
/// QEMU. Disks and the console reach QEMU as fd sets (-add-fd, /dev/fdset/N): QEMU dups those fds and
/// never reopens a path, so they stay root's private files. The kernel and initramfs are read by QEMU's
/// loader, which knows no fd sets: /dev/fd/N, which the kernel reopens with the file's own permissions.
/// </summary>
public static class VmmCommandLine
{
    public const int RootSet = 1, ConsoleSet = 2, PersistSet = 3, ScratchSet = 4;

    public static QemuLaunch ThroughFds(QemuLaunch launch, VmmFds fds)
    {
        var sets = new List<QemuFdSet> { new(RootSet, fds.Root), new(ConsoleSet, fds.Console) };
        if (launch.PersistDisk is not null)
            sets.AddRange((fds.Persist ?? throw new ArgumentException("the persist disk needs fds", nameof(fds))).Select(fd => new QemuFdSet(PersistSet, fd)));
        if (launch.ScratchDisk is not null)
            sets.AddRange((fds.Scratch ?? throw new ArgumentException("the scratch disk needs fds", nameof(fds))).Select(fd => new QemuFdSet(ScratchSet, fd)));
        return launch with
        {
            Kernel = $"/dev/fd/{fds.Kernel}",
            Initramfs = $"/dev/fd/{fds.Initramfs}",
            RootImage = FdSet(RootSet),
            ConsoleLog = FdSet(ConsoleSet),
            PersistDisk = launch.PersistDisk is null ? null : FdSet(PersistSet),
            ScratchDisk = launch.ScratchDisk is null ? null : FdSet(ScratchSet),
            FdSets = sets,
            NetworkFd = launch.Network == QemuNetwork.Gateway
                ? fds.Network ?? throw new ArgumentException("the gateway network needs its socket's fd", nameof(fds))
                : null,
            QmpFd = fds.Qmp,
            IncomingFd = fds.Incoming,
        };
    }

    public static IReadOnlyList<string> Argv(QemuLaunch launch, VmmAccount? account, VmmTools tools, VmmFds fds) =>
        Confined(account, tools, Usb.UsbArguments.Apply(QemuArguments.Build(ThroughFds(launch, fds)), launch.Usb));

    /// <summary>QEMU with these arguments, run the way every lethe QEMU runs (lethe bench's other machines too).</summary>
    public static IReadOnlyList<string> Confined(VmmAccount? account, VmmTools tools, IEnumerable<string> qemuArguments) =>
    [
        tools.Confine, "confine", "--",
        tools.Setpriv, "--pdeathsig", "KILL", "--no-new-privs", .. account?.SetprivArguments() ?? [], "--",
        tools.Qemu, .. qemuArguments,
    ];

    private static string FdSet(int set) => $"/dev/fdset/{set}";
}

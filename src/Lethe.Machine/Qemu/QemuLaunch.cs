using System.Net;
using Lethe.Machine.Accel;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Qemu;

/// <summary>Everything that decides QEMU's command line for one boot.</summary>
public sealed record QemuLaunch
{
    public string Binary { get; init; } = "qemu-system-x86_64";
    public required Accelerator Accelerator { get; init; }
    public required int MemoryMiB { get; init; }
    public required int Cpus { get; init; }
    public required string Kernel { get; init; }
    public required string Initramfs { get; init; }
    public required string RootImage { get; init; }
    public required string ConsoleLog { get; init; }
    public bool Debug { get; init; }
    /// <summary>The host's TSC rate, passed to a TCG guest (see <see cref="HostClock"/>).</summary>
    public int? GuestTscKhz { get; init; }
    /// <summary>A workstation's persist disk (raw ext4), attached read-write.</summary>
    public string? PersistDisk { get; init; }
    /// <summary>The scratch disk's sparse file: the guest encrypts it with a key the host never has.</summary>
    public string? ScratchDisk { get; init; }
    /// <summary>Attach the scratch disk read-only: a broken disk, for testing the fail-open path.</summary>
    public bool ScratchReadOnly { get; init; }
    /// <summary>A host folder shared over virtio-9p.</summary>
    public SharedFolderLaunch? Workspace { get; init; }
    /// <summary>Open fds QEMU takes as fd sets (-add-fd); a path /dev/fdset/SET then names a dup of the fd.</summary>
    public IReadOnlyList<QemuFdSet> FdSets { get; init; } = [];
    /// <summary>The guest's network device and its backend; <see cref="QemuNetwork.None"/>: no device at all.</summary>
    public QemuNetwork Network { get; init; } = QemuNetwork.None;
    /// <summary>For <see cref="QemuNetwork.Gateway"/>: QEMU's inherited fd of the gateway's socket (set by <see cref="VmmCommandLine.ThroughFds"/>).</summary>
    public int? NetworkFd { get; init; }
    /// <summary>Host USB devices to attach (the spec's usb:); they need the microvm's PCIe bus (see <see cref="Usb.UsbArguments"/>).</summary>
    public IReadOnlyList<Lethe.Spec.UsbDeviceSpec> Usb { get; init; } = [];
    /// <summary>Warm starts: an inherited fd of a Unix socket QEMU serves QMP on (snapshot: migrate to an fd passed over it).</summary>
    public int? QmpFd { get; init; }
    /// <summary>Warm starts: an inherited fd of a snapshot's migration stream, restored instead of a boot (-incoming fd:N).</summary>
    public int? IncomingFd { get; init; }
}

/// <summary>What the guest's one network device (virtio-net, MAC <see cref="NetworkLayout.GuestMac"/>) is connected to.</summary>
public enum QemuNetwork
{
    /// <summary>No network device (network.mode: none).</summary>
    None,
    /// <summary>lethe's gateway: one end of a stream socketpair (-netdev socket,fd=N; frames with a 4-byte length).</summary>
    Gateway,
    /// <summary>QEMU's own user networking, unrestricted: only for lethe bench net's comparison.</summary>
    User,
}

public sealed record QemuFdSet(int Set, int Fd);

/// <summary>A 9p share. Read-only shares (overlay mode) are refused writes by QEMU itself, whatever the guest does.</summary>
public sealed record SharedFolderLaunch(string HostPath, bool ReadOnly);

/// <summary>Pure: the argument list for a <see cref="QemuLaunch"/>.</summary>
public static class QemuArguments
{
    /// <summary>Measured here: these cut about 0.2 s of a TCG boot (no legacy probing, no self-tests).</summary>
    public static readonly IReadOnlyList<string> FastBootParameters =
    [
        "i8042.noaux", "i8042.nomux", "i8042.nopnp", "i8042.dumbkbd", "tsc=reliable", "no_timer_check",
        "cryptomgr.notests", "8250.nr_uarts=1",
    ];

    /// <summary>
    /// TCG's translation cache in MiB. A boot translates about 80 MB of code: 64 MiB made TCG flush and translate
    /// again, which cost about 9 % of a boot (11 interleaved runs each) to save about 12 MB of RSS. 256 MiB never
    /// flushes during a boot and still bounds a long-lived machine's cache, which QEMU 7.2 would let grow to 1 GiB.
    /// </summary>
    public const int TcgTranslationCacheMiB = 256;

    public static string KernelCommandLine(bool debug, int? tscKhz = null) =>
        string.Join(' ', new[] { "console=ttyS0", "panic=-1", "reboot=t" }
            .Concat(debug ? ["loglevel=7"] : ["quiet", "loglevel=3"])
            .Concat(FastBootParameters)
            .Concat(tscKhz is { } khz ? [$"tsc_early_khz={khz.ToString(System.Globalization.CultureInfo.InvariantCulture)}"] : []));

    public static IReadOnlyList<string> Build(QemuLaunch launch)
    {
        var args = new List<string>
        {
            // Guest memory stays out of core dumps (MADV_DONTDUMP), whatever the host's core settings.
            "-M", "microvm,x-option-roms=off,dump-guest-core=off",
            "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot",
            "-accel", launch.Accelerator == Accelerator.Kvm ? "kvm" : $"tcg,tb-size={TcgTranslationCacheMiB.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "-cpu", launch.Accelerator == Accelerator.Kvm ? "host" : "max",
            "-m", $"{launch.MemoryMiB}M",
            "-smp", launch.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-kernel", launch.Kernel,
            "-initrd", launch.Initramfs,
            "-append", KernelCommandLine(launch.Debug, launch.Accelerator == Accelerator.Tcg ? launch.GuestTscKhz : null),
            // append=on: QEMU truncates otherwise, and a pipe (lethe's capped copy) cannot be truncated.
            "-chardev", $"file,id=console,path={Escape(launch.ConsoleLog)},append=on",
            "-serial", "chardev:console",
            "-drive", $"id=root,if=none,format=raw,readonly=on,file={Escape(launch.RootImage)}",
            "-device", $"virtio-blk-device,drive=root,serial={SeedLayout.RootDiskSerial}",
            // The control channel rides on QEMU's own stdin/stdout: no socket file, no permissions to manage.
            "-chardev", "stdio,id=control,signal=off",
            "-device", "virtio-serial-device",
            "-device", $"virtserialport,chardev=control,name={SeedLayout.ControlPortName}",
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        };
        foreach (var set in launch.FdSets)
            args.AddRange(["-add-fd", $"fd={set.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture)},set={set.Set.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
        if (launch.PersistDisk is { } persist)
            args.AddRange([
                "-drive", $"id=persist,if=none,format=raw,cache=writeback,file={Escape(persist)}",
                "-device", $"virtio-blk-device,drive=persist,serial={SeedLayout.PersistDiskSerial}",
            ]);
        if (launch.ScratchDisk is { } scratch)
            args.AddRange([
                "-drive", $"id=scratch,if=none,format=raw,cache=unsafe,discard=unmap{(launch.ScratchReadOnly ? ",readonly=on" : "")},file={Escape(scratch)}",
                "-device", $"virtio-blk-device,drive=scratch,serial={SeedLayout.ScratchDiskSerial}",
            ]);
        if (launch.Workspace is { } share)
            args.AddRange([
                "-fsdev", $"local,id=workspace,path={Escape(share.HostPath)},security_model=none{(share.ReadOnly ? ",readonly=on" : "")}",
                "-device", $"virtio-9p-device,fsdev=workspace,mount_tag={SeedLayout.WorkspaceTag}",
            ]);
        args.AddRange(NetworkArguments(launch));
        if (launch.QmpFd is { } qmp)
            args.AddRange(["-chardev", $"socket,id=qmp,fd={qmp.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "-mon", "chardev=qmp,mode=control"]);
        if (launch.IncomingFd is { } incoming)
            args.AddRange(["-incoming", $"fd:{incoming.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
        return args;
    }

    /// <summary>The -netdev and -device of the guest's network; nothing for <see cref="QemuNetwork.None"/>.</summary>
    public static IReadOnlyList<string> NetworkArguments(QemuLaunch launch)
    {
        var netdev = launch.Network switch
        {
            QemuNetwork.None => null,
            QemuNetwork.Gateway => launch.NetworkFd is { } fd and >= 0
                ? $"socket,id=net0,fd={fd.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                : throw new ArgumentException("the gateway network needs its socket's fd", nameof(launch)),
            // The addresses are QEMU's defaults, spelled out so that they cannot drift from NetworkLayout.
            QemuNetwork.User => $"user,id=net0,net={Subnet()}/{NetworkLayout.PrefixLength},host={NetworkLayout.Gateway},dns={NetworkLayout.Dns}",
            _ => throw new ArgumentOutOfRangeException(nameof(launch), launch.Network, "unknown network backend"),
        };
        return netdev is null ? [] : ["-netdev", netdev, "-device", $"virtio-net-device,netdev=net0,mac={NetworkLayout.GuestMac}"];
    }

    private static IPAddress Subnet()
    {
        var gateway = NetworkLayout.Gateway.GetAddressBytes();
        var mask = NetworkPlan.Netmask(NetworkLayout.PrefixLength).GetAddressBytes();
        return new IPAddress(gateway.Zip(mask, (a, m) => (byte)(a & m)).ToArray());
    }

    /// <summary>QEMU option values separate sub-options with commas; a literal comma is doubled.</summary>
    public static string Escape(string value) => value.Replace(",", ",,");
}

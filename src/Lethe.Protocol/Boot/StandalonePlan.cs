namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: a lethe machine that boots without lethe on the host (<c>lethe export --format qcow2</c>). The firmware's
/// bootloader starts the kernel with <see cref="Flag"/> on its command line; the guest init then reads a seed baked
/// into a second initramfs archive instead of waiting on a control channel, finds its image and persist storage by
/// label, and hands PID 1 to systemd, which serves the console login, sshd and the network.
/// </summary>
public static class StandalonePlan
{
    public const string Flag = "lethe.standalone";
    /// <summary>The baked seed, in the second initramfs archive: no entropy, no clock, nothing secret.</summary>
    public const string SeedPath = "lethe/standalone.json";
    /// <summary>GPT partition names (PARTNAME in sysfs) of the exported disk.</summary>
    public const string RootPartition = "lethe-root";
    public const string PersistPartition = "lethe-persist";
    /// <summary>The ext4 label a persist filesystem gets, whichever device holds it.</summary>
    public const string PersistLabel = "lethe-persist";

    /// <summary>Any bus a hypervisor may give the disk: virtio on PCI (QEMU, KubeVirt), SATA (libvirt's default on q35), SCSI, NVMe.</summary>
    public static readonly IReadOnlyList<string> Modules = ["virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "ahci", "nvme", "erofs", "overlay", "ext4"];

    /// <summary>The kernel command line the exported disk's boot entry carries. Output on the serial port and the screen;
    /// the last console is /dev/console, where systemd starts its login prompt.</summary>
    public static string KernelCommandLine() => $"console=tty0 console=ttyS0,115200 panic=10 {Flag}";

    public static bool IsStandalone(string commandLine) =>
        commandLine.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).Contains(Flag, StringComparer.Ordinal);

    /// <summary>Where the allowlist lives: a whole disk with the serial lethe-persist (a Kubernetes volume) wins over
    /// the exported disk's own persist partition; null when there is neither.</summary>
    public static string? PersistDevice(string? diskWithPersistSerial, string? persistPartition) => diskWithPersistSerial ?? persistPartition;

    /// <summary>What to do with the persist device before mounting it, from its first bytes.</summary>
    public static PersistPreparation Prepare(ReadOnlySpan<byte> head)
    {
        const int Ext4MagicOffset = 1024 + 56;
        if (head.Length >= Ext4MagicOffset + 2 && head[Ext4MagicOffset] == 0x53 && head[Ext4MagicOffset + 1] == 0xEF)
            return PersistPreparation.Mount;
        return head.IndexOfAnyExcept((byte)0) < 0 ? PersistPreparation.Format : PersistPreparation.Refuse;
    }

    /// <summary>How many bytes <see cref="Prepare"/> reads: the superblock and well past it, so that any other filesystem
    /// or partition table shows as "not blank".</summary>
    public const int HeadBytes = 64 * 1024;

    /// <summary>The image's own mke2fs, run before the switch as the scratch disk's is; labelled, so tools find it.</summary>
    public static ScratchCommand Mkfs(string device) => new(
        "mke2fs",
        ScratchPlan.Loader,
        [
            "--library-path", ScratchPlan.LibraryPath, ScratchPlan.Mke2fs,
            "-t", "ext4", "-q", "-F", "-L", PersistLabel, "-m", "0",
            "-E", "lazy_itable_init=1,lazy_journal_init=1",
            device,
        ],
        new Dictionary<string, string> { ["MKE2FS_CONFFILE"] = ScratchPlan.Mke2fsConfig });

    /// <summary>systemd-networkd: DHCP on every wired interface (the image has no other network manager).</summary>
    public const string NetworkPath = "/etc/systemd/network/80-lethe-dhcp.network";
    public const string NetworkConfig = "[Match]\nType=ether\n\n[Network]\nDHCP=yes\n";
    public const string NetworkdUnit = "systemd-networkd.service";

    /// <summary>
    /// The ACPI power button (libvirt's shutdown, QEMU's system_powerdown, KubeVirt's stop) is systemd-logind's to
    /// handle, and logind needs D-Bus, which a minimal image lacks. So a unit of lethe's own init waits for the
    /// button's key press and asks systemd to power off.
    /// </summary>
    public const string PowerButtonUnitName = "lethe-power-button.service";
    public const string PowerButtonVerb = "power-button";
    public const string PowerButtonDeviceName = "Power Button";

    public static string PowerButtonUnit() =>
        $"""
        [Unit]
        Description=lethe: power off on the ACPI power button
        [Service]
        ExecStart={SeedLayout.AgentPath} {PowerButtonVerb}
        Restart=on-failure
        [Install]
        WantedBy=multi-user.target
        """;

    /// <summary>Whether one struct input_event (x86_64: 16 bytes of time, u16 type, u16 code, s32 value) is the power key going down.</summary>
    public static bool IsPowerKeyPress(ReadOnlySpan<byte> inputEvent)
    {
        const int EventBytes = 24, KeyEvent = 1, PowerKey = 116;
        return inputEvent.Length == EventBytes
            && BitConverter.ToUInt16(inputEvent[16..18]) == KeyEvent
            && BitConverter.ToUInt16(inputEvent[18..20]) == PowerKey
            && BitConverter.ToInt32(inputEvent[20..24]) == 1;
    }

    public const int InputEventBytes = 24;

    /// <summary>The console logs the spec's user in without a password: the image holds no password (no secret), and
    /// whoever holds the console holds the hypervisor. SSH still takes keys only. The serial console and the first
    /// virtual terminal only: one shell each, not one on every terminal systemd starts.</summary>
    public static IReadOnlyList<(string Path, string Text)> AutologinDropIns(string userName) =>
    [
        ("/etc/systemd/system/serial-getty@.service.d/lethe-autologin.conf",
            $"[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin {userName} --keep-baud 115200,57600,38400,9600 - $TERM\n"),
        ("/etc/systemd/system/getty@tty1.service.d/lethe-autologin.conf",
            $"[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin {userName} --noclear - $TERM\n"),
    ];
}

public enum PersistPreparation
{
    /// <summary>An ext4 is there: mount it.</summary>
    Mount,
    /// <summary>All zeros: a fresh disk, made into ext4 now.</summary>
    Format,
    /// <summary>Something else is there: never overwritten; the machine boots without its allowlist and says so.</summary>
    Refuse,
}

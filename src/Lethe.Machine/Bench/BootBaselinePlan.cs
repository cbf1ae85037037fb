using System.Globalization;
using Lethe.Machine.Accel;
using Lethe.Machine.Qemu;

namespace Lethe.Machine.Bench;

/// <summary>Everything that decides the baseline's QEMU command line; paths may be /dev/fd/N and /dev/fdset/N.</summary>
public sealed record BaselineLaunch(Accelerator Accelerator, int MemoryMiB, int Cpus, string Kernel, string Initrd, string RootImage);

/// <summary>
/// Pure: the conventional baseline. The image's own Debian userland booted the way a typical Debian VM boots:
/// QEMU's q35 PC (firmware, PCI, ACPI) with direct kernel boot, the image's kernel, an initramfs made by the
/// image's own initramfs-tools (mkinitramfs with MODULES=list: the VM's drivers only), and systemd up to multi-user.target, where a
/// oneshot unit runs the command and powers off. The root is the image's read-only erofs on a virtio-blk PCI
/// disk; a small init-bottom script puts a tmpfs overlay on it (as lethe's root has) and adds the unit.
/// </summary>
public static class BootBaselinePlan
{
    /// <summary>The unit prints this and the guest's uptime (seconds) on the serial console once the command has run.</summary>
    public const string DoneMarker = "lethe-bench-command-done";

    /// <summary>The kernel command line flag the init-bottom script looks for (without it, the initramfs boots plainly).</summary>
    public const string Flag = "lethe.bench";

    public const string KernelCommandLine = "root=/dev/vda rootfstype=erofs ro console=ttyS0 quiet " + Flag + " systemd.firstboot=off panic=-1";

    public static IReadOnlyList<string> Arguments(BaselineLaunch launch) =>
    [
        "-M", "q35", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        "-accel", launch.Accelerator == Accelerator.Kvm ? "kvm" : "tcg",
        "-cpu", launch.Accelerator == Accelerator.Kvm ? "host" : "max",
        "-m", $"{launch.MemoryMiB.ToString(CultureInfo.InvariantCulture)}M",
        "-smp", launch.Cpus.ToString(CultureInfo.InvariantCulture),
        "-kernel", launch.Kernel,
        "-initrd", launch.Initrd,
        "-append", KernelCommandLine,
        "-drive", $"id=root,if=none,format=raw,readonly=on,file={QemuArguments.Escape(launch.RootImage)}",
        "-device", "virtio-blk-pci,drive=root",
        // The serial console is QEMU's stdout: lethe bench reads the unit's marker from it.
        "-chardev", "stdio,id=console,signal=off",
        "-serial", "chardev:console",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    ];

    /// <summary>Pure: the guest's uptime in ms from the marker line on the console, if it is there.</summary>
    public static double? CommandUptimeMs(string console)
    {
        var at = console.LastIndexOf(DoneMarker + " ", StringComparison.Ordinal);
        if (at < 0)
            return null;
        var rest = console[(at + DoneMarker.Length + 1)..];
        var end = rest.IndexOfAny(['\r', '\n', ' ']);
        return double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? Math.Round(seconds * 1000, 1)
            : null;
    }

    /// <summary>
    /// Run as root in a lethe machine of the image: configures the image's initramfs-tools for the baseline,
    /// runs mkinitramfs (its messages on stderr), and writes the initramfs to stdout.
    /// </summary>
    public const string BuildScript = """
        set -eu
        if [ ! -d /usr/share/initramfs-tools ] || [ ! -x /usr/sbin/mkinitramfs ]; then
          echo "this image has no initramfs-tools (mkinitramfs)" >&2; exit 3
        fi
        kver=$(ls /lib/modules | head -n 1)
        # Debian's default MODULES=most copies hundreds of drivers: under TCG that took over 10 minutes to build
        # here. The listed modules only (what this VM needs) make a smaller initramfs that also boots faster,
        # so the baseline can only look better for it.
        sed -i 's/^MODULES=.*/MODULES=list/' /etc/initramfs-tools/initramfs.conf
        printf '%s\n' virtio_pci virtio_blk crc32c_generic erofs overlay >> /etc/initramfs-tools/modules
        mkdir -p /etc/initramfs-tools/scripts/init-bottom
        cat > /etc/initramfs-tools/scripts/init-bottom/lethe-bench <<'LETHE_SCRIPT'
        #!/bin/sh
        # lethe bench's baseline: a tmpfs overlay on the read-only erofs root, and the command's oneshot unit.
        case "$1" in prereqs) exit 0 ;; esac
        case " $(cat /proc/cmdline) " in *" lethe.bench "*) ;; *) exit 0 ;; esac
        mkdir -p /run/lethe-bench/lower /run/lethe-bench/rw
        mount -n -o move "${rootmnt}" /run/lethe-bench/lower
        mount -n -t tmpfs -o mode=0755 tmpfs /run/lethe-bench/rw
        mkdir -p /run/lethe-bench/rw/upper /run/lethe-bench/rw/work
        mount -n -t overlay -o lowerdir=/run/lethe-bench/lower,upperdir=/run/lethe-bench/rw/upper,workdir=/run/lethe-bench/rw/work overlay "${rootmnt}"
        mkdir -p "${rootmnt}/etc/systemd/system/multi-user.target.wants"
        cat > "${rootmnt}/etc/systemd/system/lethe-bench.service" <<'UNIT'
        [Unit]
        Description=lethe bench: the command, then power off
        After=multi-user.target
        SuccessAction=poweroff
        FailureAction=poweroff

        [Service]
        Type=oneshot
        ExecStart=/bin/true
        ExecStartPost=/bin/sh -c 'read up idle < /proc/uptime; echo "lethe-bench-command-done $$up" > /dev/ttyS0'
        UNIT
        ln -s ../lethe-bench.service "${rootmnt}/etc/systemd/system/multi-user.target.wants/lethe-bench.service"
        LETHE_SCRIPT
        chmod 0755 /etc/initramfs-tools/scripts/init-bottom/lethe-bench
        /usr/sbin/mkinitramfs -o /tmp/lethe-bench-initrd.img "$kver" >&2
        cat /tmp/lethe-bench-initrd.img
        """;
}

using Lethe.Machine.Accel;
using Lethe.Machine.Qemu;

namespace Lethe.Tests.Machine;

public sealed class QemuArgumentsTests
{
    private static readonly QemuLaunch Launch = new()
    {
        Accelerator = Accelerator.Tcg,
        MemoryMiB = 1024,
        Cpus = 2,
        Kernel = "/cache/vmlinux",
        Initramfs = "/run/x/initramfs.cpio",
        RootImage = "/cache/root,fs.erofs",
        ConsoleLog = "/run/x/console.log",
    };

    private static string ValueAfter(IReadOnlyList<string> args, string flag, string startsWith = "")
    {
        for (var i = 0; i < args.Count - 1; i++)
            if (args[i] == flag && args[i + 1].StartsWith(startsWith, StringComparison.Ordinal))
                return args[i + 1];
        throw new ShouldAssertException($"{flag} {startsWith}… not in: {string.Join(' ', args)}");
    }

    [Fact]
    public void Boots_a_microvm_directly_without_firmware_or_default_devices()
    {
        var args = QemuArguments.Build(Launch);
        ValueAfter(args, "-M").ShouldStartWith("microvm");
        args.ShouldContain("-nodefaults");
        args.ShouldContain("-no-user-config");
        args.ShouldContain("-no-reboot");
        ValueAfter(args, "-kernel").ShouldBe("/cache/vmlinux");
        ValueAfter(args, "-initrd").ShouldBe("/run/x/initramfs.cpio");
        ValueAfter(args, "-m").ShouldBe("1024M");
        ValueAfter(args, "-smp").ShouldBe("2");
    }

    [Fact]
    public void Uses_the_decided_accelerator_and_never_hard_codes_tcg()
    {
        var tcg = QemuArguments.Build(Launch);
        ValueAfter(tcg, "-accel").ShouldBe($"tcg,tb-size={QemuArguments.TcgTranslationCacheMiB}");
        var kvm = QemuArguments.Build(Launch with { Accelerator = Accelerator.Kvm });
        ValueAfter(kvm, "-accel").ShouldBe("kvm");
        ValueAfter(kvm, "-cpu").ShouldBe("host");
    }

    [Fact]
    public void Caps_tcg_translation_cache_well_below_qemus_one_gib_default_and_leaves_kvm_alone()
    {
        var accel = ValueAfter(QemuArguments.Build(Launch), "-accel");
        var size = int.Parse(accel["tcg,tb-size=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        size.ShouldBeInRange(16, 256);
        QemuArguments.Build(Launch with { Accelerator = Accelerator.Kvm }).ShouldNotContain(a => a.Contains("tb-size", StringComparison.Ordinal));
    }

    [Fact]
    public void Sandboxes_qemu_denying_elevation_spawning_and_resource_control()
    {
        var sandbox = ValueAfter(QemuArguments.Build(Launch), "-sandbox");
        sandbox.ShouldStartWith("on,");
        foreach (var part in new[] { "elevateprivileges=deny", "spawn=deny", "resourcecontrol=deny", "obsolete=deny" })
            sandbox.ShouldContain(part);
    }

    [Fact]
    public void Root_image_is_read_only_and_found_by_serial_and_commas_in_paths_are_escaped()
    {
        var args = QemuArguments.Build(Launch);
        var drive = ValueAfter(args, "-drive");
        drive.ShouldContain("readonly=on");
        drive.ShouldEndWith("file=/cache/root,,fs.erofs");
        ValueAfter(args, "-device", "virtio-blk-device").ShouldContain("serial=lethe-root");
    }

    [Fact]
    public void Control_channel_is_a_named_virtio_serial_port_on_qemu_stdio()
    {
        var args = QemuArguments.Build(Launch);
        ValueAfter(args, "-chardev", "stdio").ShouldBe("stdio,id=control,signal=off");
        ValueAfter(args, "-device", "virtserialport").ShouldContain("name=org.lethe.control");
    }

    [Fact]
    public void Kernel_command_line_is_quiet_unless_debugging_and_carries_no_secrets()
    {
        QemuArguments.KernelCommandLine(debug: false).ShouldContain("quiet");
        QemuArguments.KernelCommandLine(debug: true).ShouldNotContain("quiet");
        QemuArguments.KernelCommandLine(false).ShouldContain("panic=-1");
        QemuArguments.KernelCommandLine(false).ShouldNotContain("key");
    }

    private static readonly VmmTools Tools = new("/opt/lethe/lethe-init", "/usr/bin/setpriv", "/usr/bin/qemu-system-x86_64");
    private static readonly VmmFds Fds = new(Kernel: 11, Initramfs: 12, Root: 13, Console: 14);

    [Fact]
    public void Qemu_is_started_confined_then_unprivileged_with_a_parent_death_signal()
    {
        var account = new VmmAccount(DynamicAccountRange.First, DynamicAccountRange.First, []);
        var argv = VmmCommandLine.Argv(Launch, account, Tools, Fds);
        argv.Take(4).ShouldBe(["/opt/lethe/lethe-init", "confine", "--", "/usr/bin/setpriv"]);
        var privs = argv.Skip(3).TakeWhile(a => a != "--").ToList();
        privs.ShouldContain($"--reuid={DynamicAccountRange.First}");
        privs.ShouldContain($"--regid={DynamicAccountRange.First}");
        privs.ShouldContain("--clear-groups");
        privs.ShouldContain("--no-new-privs");
        string.Join(' ', privs).ShouldContain("--pdeathsig KILL");
        argv[3 + privs.Count + 1].ShouldBe("/usr/bin/qemu-system-x86_64");
        argv.ShouldNotContain("-runas");
    }

    [Fact]
    public void Disks_and_the_console_reach_qemu_as_fd_sets_and_the_loader_inputs_as_dev_fd()
    {
        var argv = VmmCommandLine.Argv(Launch with { PersistDisk = "/state/persist.ext4", ScratchDisk = "/cache/s.img" }, null, Tools,
            Fds with { Persist = [15, 17], Scratch = [16] });
        ValueAfter(argv, "-kernel").ShouldBe("/dev/fd/11");
        ValueAfter(argv, "-initrd").ShouldBe("/dev/fd/12");
        var addFds = argv.Select((a, i) => (a, i)).Where(p => p.a == "-add-fd").Select(p => argv[p.i + 1]).ToList();
        addFds.ShouldBe(["fd=13,set=1", "fd=14,set=2", "fd=15,set=3", "fd=17,set=3", "fd=16,set=4"]);
        ValueAfter(argv, "-drive", "id=root").ShouldEndWith("file=/dev/fdset/1");
        ValueAfter(argv, "-drive", "id=persist").ShouldEndWith("file=/dev/fdset/3");
        ValueAfter(argv, "-drive", "id=scratch").ShouldEndWith("file=/dev/fdset/4");
        ValueAfter(argv, "-chardev", "file").ShouldBe("file,id=console,path=/dev/fdset/2,append=on");
        argv.ShouldNotContain(a => a.Contains("/state/") || a.Contains("/cache/") || a.Contains("/run/x"), "no host path reaches QEMU");
    }

    [Fact]
    public void Guest_memory_is_kept_out_of_core_dumps()
    {
        ValueAfter(QemuArguments.Build(Launch), "-M").Split(',').ShouldContain("dump-guest-core=off");
    }

    [Fact]
    public void As_an_ordinary_user_qemu_keeps_the_users_identity()
    {
        var argv = VmmCommandLine.Argv(Launch, account: null, Tools, Fds);
        argv.ShouldNotContain(a => a.StartsWith("--reuid", StringComparison.Ordinal));
        argv.ShouldContain("--pdeathsig");
        argv[1].ShouldBe("confine", "the share is confined whoever runs lethe");
    }
}

public sealed class HostClockTests
{
    [Fact]
    public void The_host_tsc_rate_reaches_a_tcg_guest_but_not_a_kvm_one()
    {
        HostClock.TscKhz("processor\t: 0\ncpu MHz\t\t: 2100.000\n").ShouldBe(2_100_000);
        HostClock.TscKhz("processor\t: 0\n").ShouldBeNull();
        var launch = new QemuLaunch
        {
            Accelerator = Accelerator.Tcg, MemoryMiB = 512, Cpus = 1, Kernel = "k", Initramfs = "i", RootImage = "r", ConsoleLog = "c",
            GuestTscKhz = 2_100_000,
        };
        string Append(QemuLaunch l) => QemuArguments.Build(l).SkipWhile(a => a != "-append").Skip(1).First();
        Append(launch).ShouldContain("tsc_early_khz=2100000");
        Append(launch with { Accelerator = Accelerator.Kvm }).ShouldNotContain("tsc_early_khz");
    }
}

using System.Buffers.Binary;
using Lethe.Machine.Accel;
using Lethe.Machine.Bench;

namespace Lethe.Tests.Bench;

public sealed class BootKindsTests
{
    [Fact]
    public void The_floors_init_is_a_static_x86_64_executable_that_calls_reboot_to_power_off()
    {
        var elf = BootFloorInit.Elf();
        elf[..4].ShouldBe(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' });
        BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(16)).ShouldBe((ushort)2);     // executable
        BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(18)).ShouldBe((ushort)0x3e);  // x86-64
        var entry = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(24));
        var code = elf.AsSpan((int)(entry - 0x400000));
        code[..5].ToArray().ShouldBe(new byte[] { 0xb8, 169, 0, 0, 0 });                  // reboot(2)
        BinaryPrimitives.ReadUInt32LittleEndian(code[16..]).ShouldBe(0x4321fedcu);      // LINUX_REBOOT_CMD_POWER_OFF
        BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(64 + 32)).ShouldBe((ulong)elf.Length); // the whole file is loaded
    }

    [Fact]
    public void The_floors_initramfs_has_an_executable_init_and_a_console()
    {
        var text = System.Text.Encoding.ASCII.GetString(BootFloorInit.Initramfs());
        text.ShouldStartWith("070701");
        text.ShouldContain("dev/console");
        text.ShouldContain("init");
        text.ShouldContain("TRAILER!!!");
    }

    [Fact]
    public void The_baseline_is_a_q35_pc_with_a_virtio_pci_disk_and_systemd_booted_by_initramfs_tools()
    {
        var args = BootBaselinePlan.Arguments(new BaselineLaunch(Accelerator.Tcg, 512, 2, "/dev/fd/3", "/dev/fd/4", "/dev/fdset/1"));
        string.Join(' ', args).ShouldContain("-M q35");
        args.ShouldContain("virtio-blk-pci,drive=root");
        args.ShouldContain("512M");
        args.ShouldContain("tcg");
        args.ShouldContain("id=root,if=none,format=raw,readonly=on,file=/dev/fdset/1");
        args[args.ToList().IndexOf("-append") + 1].ShouldContain("root=/dev/vda rootfstype=erofs ro");
        args.ShouldNotContain("-M microvm");
        BootBaselinePlan.BuildScript.ShouldContain("/usr/sbin/mkinitramfs -o");
        BootBaselinePlan.BuildScript.ShouldContain("After=multi-user.target");
        BootBaselinePlan.BuildScript.ShouldContain(BootBaselinePlan.DoneMarker);
        // SuccessAction is a [Unit] setting: in [Service] systemd ignores it and the machine never powers off (seen here).
        var unit = BootBaselinePlan.BuildScript;
        unit.IndexOf("SuccessAction=poweroff", StringComparison.Ordinal).ShouldBeLessThan(unit.IndexOf("[Service]", StringComparison.Ordinal));
        unit.IndexOf("SuccessAction=poweroff", StringComparison.Ordinal).ShouldBeGreaterThan(unit.IndexOf("[Unit]", StringComparison.Ordinal));
        // systemd expands $VAR in ExecStart lines; the shell's variable must reach the shell.
        BootBaselinePlan.BuildScript.ShouldContain("$$up");
    }

    [Fact]
    public void The_baselines_command_uptime_is_read_from_the_console_marker()
    {
        BootBaselinePlan.CommandUptimeMs("noise\r\nlethe-bench-command-done 21.53\r\n[  22.0] reboot: Power down\r\n").ShouldBe(21530);
        BootBaselinePlan.CommandUptimeMs("no marker").ShouldBeNull();
    }

    [Fact]
    public void Lethe_is_started_again_the_way_it_was_started()
    {
        BootLetheKind.Launcher("/usr/bin/dotnet", ["/repo/.build/cli/lethe.dll", "bench"]).ShouldBe(("/usr/bin/dotnet", (IReadOnlyList<string>)["/repo/.build/cli/lethe.dll"]),
            new TupleComparer());
        BootLetheKind.Launcher("/usr/local/bin/lethe", ["/usr/local/bin/lethe", "bench"]).Prefix.ShouldBeEmpty();
        // The launcher's apphost: .NET reports the assembly as the first argument, but the apphost starts it.
        BootLetheKind.Launcher("/repo/.build/cli/lethe", ["/repo/.build/cli/lethe.dll", "bench"]).ShouldBe(("/repo/.build/cli/lethe", (IReadOnlyList<string>)[]),
            new TupleComparer());
    }

    private sealed class TupleComparer : IEqualityComparer<(string, IReadOnlyList<string>)>
    {
        public bool Equals((string, IReadOnlyList<string>) x, (string, IReadOnlyList<string>) y) => x.Item1 == y.Item1 && x.Item2.SequenceEqual(y.Item2);
        public int GetHashCode((string, IReadOnlyList<string>) obj) => obj.Item1.GetHashCode(StringComparison.Ordinal);
    }

    [Fact]
    public void The_cpu_model_is_the_first_model_name()
    {
        BootHostFacts.ModelOf("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: other\n").ShouldBe("AMD EPYC 7B13");
        BootHostFacts.ModelOf("").ShouldBeNull();
    }
}

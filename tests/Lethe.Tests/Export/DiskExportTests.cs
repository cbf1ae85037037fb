using System.Text.Json;
using Lethe.Machine.Export.Disk;
using Lethe.Protocol;
using Lethe.Protocol.Boot;
using Lethe.Spec;

namespace Lethe.Tests.Export;

public sealed class DiskLayoutTests
{
    private const string Digest = "0438a6b7e7842ab4ddc591be8de330b97330984ad5aa592d01f014c677182d2d";

    [Fact]
    public void Partitions_are_aligned_to_a_mebibyte_in_order_with_room_for_the_backup_table()
    {
        var layout = DiskLayout.For(Digest, rootBytes: 678_617_088, persistMiB: 64);
        layout.Esp.StartSector.ShouldBe(2048);
        layout.Esp.Bytes.ShouldBe(128L << 20);
        layout.Root.StartSector.ShouldBe(layout.Esp.StartSector + layout.Esp.Sectors);
        // 678617088 bytes is 647.2 MiB: the partition is rounded up to 648 MiB.
        layout.Root.Bytes.ShouldBe(648L << 20);
        layout.Persist.StartSector.ShouldBe(layout.Root.StartSector + layout.Root.Sectors);
        layout.Persist.Bytes.ShouldBe(64L << 20);
        layout.TotalBytes.ShouldBe((1 + 128 + 648 + 64 + 1) * (1L << 20));
        layout.Partitions.Select(p => p.StartSector % 2048).ShouldAllBe(remainder => remainder == 0);
        layout.Root.Name.ShouldBe(StandalonePlan.RootPartition);
        layout.Persist.Name.ShouldBe(StandalonePlan.PersistPartition);
    }

    [Fact]
    public void The_guids_follow_the_image_so_one_image_gives_one_disk_and_another_image_another()
    {
        var layout = DiskLayout.For(Digest, 1 << 20, 16);
        DiskLayout.For(Digest, 1 << 20, 16).ShouldBe(layout);
        var other = DiskLayout.For(Digest.Replace('0', 'f'), 1 << 20, 16);
        other.DiskGuid.ShouldNotBe(layout.DiskGuid);
        new[] { layout.DiskGuid, layout.Esp.Guid, layout.Root.Guid, layout.Persist.Guid }.Distinct().Count().ShouldBe(4);
        layout.DiskGuid.ShouldMatch("^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$");
    }

    [Fact]
    public void The_sfdisk_script_names_every_guid_and_keeps_the_root_away_from_systemds_auto_mounting()
    {
        var layout = DiskLayout.For(Digest, 1 << 20, 16);
        var script = layout.SfdiskScript();
        script.ShouldStartWith($"label: gpt\nlabel-id: {layout.DiskGuid}\nunit: sectors\nfirst-lba: 2048\n");
        script.ShouldContain($"start=2048, size=262144, type={DiskLayout.EspType}, uuid={layout.Esp.Guid}, name=\"EFI system\"\n");
        script.ShouldContain($"type={DiskLayout.LinuxDataType}, uuid={layout.Root.Guid}, name=\"lethe-root\"\n");
        script.ShouldContain($"type={DiskLayout.LinuxDataType}, uuid={layout.Persist.Guid}, name=\"lethe-persist\"\n");
        script.ShouldNotContain("4F68BCE3", Case.Insensitive);
    }

    [Fact]
    public void Empty_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DiskLayout.For(Digest, 0, 16));
        Should.Throw<ArgumentOutOfRangeException>(() => DiskLayout.For(Digest, 1, 0));
    }
}

public sealed class EspPlanTests
{
    [Fact]
    public void Systemd_boot_at_the_fallback_path_starts_the_kernel_with_both_archives_and_no_menu_or_editor()
    {
        var files = EspPlan.Files("/boot.efi", "/k", "/i", "/s", "lethe box");
        files[0].ShouldBe(new EspFile("/EFI/BOOT/BOOTX64.EFI", SourceFile: "/boot.efi"));
        var loader = files.Single(file => file.PathOnEsp == "/loader/loader.conf").Text!;
        loader.ShouldContain("timeout 0\n");
        loader.ShouldContain("editor no\n");
        var entry = files.Single(file => file.PathOnEsp == "/loader/entries/lethe.conf").Text!;
        entry.ShouldBe("title lethe box\nlinux /lethe/vmlinuz\ninitrd /lethe/initramfs.cpio\ninitrd /lethe/standalone.cpio\n"
            + "options console=tty0 console=ttyS0,115200 panic=10 lethe.standalone\n");
        files.Where(file => file.SourceFile is not null).Select(file => file.PathOnEsp)
            .ShouldBe(["/EFI/BOOT/BOOTX64.EFI", "/lethe/vmlinuz", "/lethe/initramfs.cpio", "/lethe/standalone.cpio"]);
        // Every file's folder is made first.
        files.Select(file => file.PathOnEsp[..file.PathOnEsp.LastIndexOf('/')]).ShouldAllBe(parent => EspPlan.Folders.Contains(parent));
    }

    [Fact]
    public void A_title_cannot_add_a_line_to_the_entry() =>
        Should.Throw<ArgumentException>(() => EspPlan.Entry("box\noptions init=/bin/sh"));
}

public sealed class StandaloneSeedTests
{
    private static MachineSpec Spec(string yaml) => SpecLoader.Parse("name: box\nuser: {name: dev, uid: 1001}\n" + yaml, "test.yaml").Spec!;

    [Fact]
    public void The_baked_seed_is_a_workstation_under_systemd_with_sshd_on_the_network_and_nothing_per_boot()
    {
        var seed = StandaloneSeed.For(Spec("persist: [~/src, /etc/keep]\nssh: {send_env: [LANG]}\n"), "box", ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHgV9Tq9Cw2+oJtTKQd7zDq0+L9bWvMhXrU3wKq1bN7k"]);
        seed.Init.ShouldBe(InitMode.Systemd);
        seed.KeepIdentity.ShouldBeTrue();
        seed.Persist!.Select(path => path.GuestPath).ShouldBe(["/home/dev/src", "/etc/keep"]);
        seed.Ssh.ShouldNotBeNull();
        seed.Ssh.ListenOnNetwork.ShouldBeTrue();
        seed.Ssh.AcceptEnv.ShouldBe(["LANG"]);
        seed.Network.ShouldBeNull();
        seed.Workspace.ShouldBeNull();
        seed.Scratch.ShouldBeNull();
        seed.Hostname.ShouldBe("box");
        // No entropy, no clock and no key in it: the same export twice is the same bytes.
        var json = System.Text.Encoding.UTF8.GetString(ProtocolJson.Serialize(seed));
        json.ShouldNotContain("entropy", Case.Insensitive);
        ProtocolJson.Serialize(StandaloneSeed.For(Spec("persist: [~/src, /etc/keep]\nssh: {send_env: [LANG]}\n"), "box", seed.Ssh.AuthorizedKeys))
            .ShouldBe(ProtocolJson.Serialize(seed));
    }

    [Fact]
    public void Identity_fresh_in_the_spec_stays_fresh_in_the_disk() =>
        StandaloneSeed.For(Spec("identity: fresh\n"), "box", []).KeepIdentity.ShouldBeFalse();
}

public sealed class StandalonePlanTests
{
    [Theory]
    [InlineData("console=ttyS0 lethe.standalone", true)]
    [InlineData("lethe.standalone\n", true)]
    [InlineData("console=ttyS0 lethe.standalone=0", false)]
    [InlineData("xlethe.standalone", false)]
    [InlineData("", false)]
    public void The_flag_is_a_whole_word_of_the_command_line(string commandLine, bool standalone) =>
        StandalonePlan.IsStandalone(commandLine).ShouldBe(standalone);

    [Fact]
    public void A_blank_device_is_formatted_an_ext4_is_mounted_and_anything_else_is_left_alone()
    {
        var blank = new byte[StandalonePlan.HeadBytes];
        StandalonePlan.Prepare(blank).ShouldBe(PersistPreparation.Format);
        var ext4 = new byte[StandalonePlan.HeadBytes];
        ext4[1024 + 56] = 0x53;
        ext4[1024 + 57] = 0xEF;
        ext4[5000] = 7;
        StandalonePlan.Prepare(ext4).ShouldBe(PersistPreparation.Mount);
        var other = new byte[StandalonePlan.HeadBytes];
        other[510] = 0x55;
        other[511] = 0xAA;
        StandalonePlan.Prepare(other).ShouldBe(PersistPreparation.Refuse);
    }

    [Fact]
    public void A_kubernetes_volume_wins_over_the_disks_own_partition()
    {
        StandalonePlan.PersistDevice("/dev/vdb", "/dev/vda3").ShouldBe("/dev/vdb");
        StandalonePlan.PersistDevice(null, "/dev/vda3").ShouldBe("/dev/vda3");
        StandalonePlan.PersistDevice(null, null).ShouldBeNull();
    }

    [Fact]
    public void The_persist_filesystem_is_made_by_the_images_mke2fs_with_its_label()
    {
        var mkfs = StandalonePlan.Mkfs("/dev/vda3");
        mkfs.Program.ShouldBe(ScratchPlan.Loader);
        mkfs.Arguments.ShouldContain(ScratchPlan.Mke2fs);
        string.Join(' ', mkfs.Arguments).ShouldContain("-L lethe-persist");
        mkfs.Arguments[^1].ShouldBe("/dev/vda3");
    }

    [Fact]
    public void Only_the_power_key_going_down_powers_off()
    {
        static byte[] Event(ushort type, ushort code, int value)
        {
            var bytes = new byte[StandalonePlan.InputEventBytes];
            BitConverter.GetBytes(type).CopyTo(bytes, 16);
            BitConverter.GetBytes(code).CopyTo(bytes, 18);
            BitConverter.GetBytes(value).CopyTo(bytes, 20);
            return bytes;
        }
        StandalonePlan.IsPowerKeyPress(Event(1, 116, 1)).ShouldBeTrue();
        StandalonePlan.IsPowerKeyPress(Event(1, 116, 0)).ShouldBeFalse();
        StandalonePlan.IsPowerKeyPress(Event(0, 0, 0)).ShouldBeFalse();
        StandalonePlan.IsPowerKeyPress(Event(1, 30, 1)).ShouldBeFalse();
        StandalonePlan.IsPowerKeyPress(Event(1, 116, 1)[..20]).ShouldBeFalse();
        StandalonePlan.PowerButtonUnit().ShouldContain($"ExecStart={SeedLayout.AgentPath} power-button\n");
    }

    [Fact]
    public void The_console_logs_the_user_in_and_the_network_uses_dhcp()
    {
        var dropIns = StandalonePlan.AutologinDropIns("dev");
        dropIns.Select(d => d.Path).ShouldAllBe(path => path.StartsWith("/etc/systemd/system/", StringComparison.Ordinal));
        dropIns.ShouldAllBe(d => d.Text.Contains("ExecStart=\n") && d.Text.Contains("--autologin dev "));
        StandalonePlan.NetworkConfig.ShouldContain("DHCP=yes");
    }
}

using Lethe.Core;
using Lethe.Machine.Accel;
using Lethe.Machine.Qemu;
using Lethe.Machine.Warm;

namespace Lethe.Tests.Warm;

public sealed class SnapshotKeyTests
{
    private static readonly QemuLaunch Launch = new()
    {
        Accelerator = Accelerator.Tcg, MemoryMiB = 768, Cpus = 2, Kernel = "/cache/a/vmlinux", Initramfs = "/cache/a/initramfs.cpio",
        RootImage = "/cache/a/rootfs.erofs", ConsoleLog = "/run/x/console.log", GuestTscKhz = 2_000_000,
    };

    private static string Key(QemuLaunch launch, string image = "img", string init = "init", string qemu = "7.2.22") => SnapshotKey.For(launch, image, init, qemu);

    [Fact]
    public void Paths_fds_and_the_run_folder_do_not_change_the_key()
    {
        Key(Launch).ShouldBe(Key(Launch with { ConsoleLog = "/run/y/console.log", Kernel = "/dev/fd/11", ScratchDisk = null, QmpFd = 9, IncomingFd = 10 }));
        Key(Launch with { ScratchDisk = "/s/one" }).ShouldBe(Key(Launch with { ScratchDisk = "/s/two" }));
        Key(Launch with { PersistDisk = "/m/a.ext4" }).ShouldBe(Key(Launch with { PersistDisk = "/m/b.ext4" }));
    }

    public static TheoryData<string, QemuLaunch> Different() => new()
    {
        { "memory", Launch with { MemoryMiB = 1024 } },
        { "cpus", Launch with { Cpus = 1 } },
        { "accelerator", Launch with { Accelerator = Accelerator.Kvm } },
        { "a scratch disk", Launch with { ScratchDisk = "/s" } },
        { "a persist disk", Launch with { PersistDisk = "/p" } },
        { "a share", Launch with { Workspace = new SharedFolderLaunch("/w", ReadOnly: false) } },
        { "a read-only share", Launch with { Workspace = new SharedFolderLaunch("/w", ReadOnly: true) } },
        { "a network device", Launch with { Network = QemuNetwork.Gateway } },
        { "the kernel command line", Launch with { Debug = true } },
    };

    [Theory]
    [MemberData(nameof(Different))]
    public void Anything_a_restore_depends_on_changes_the_key(string what, QemuLaunch other)
    {
        Key(other).ShouldNotBe(Key(Launch), what);
        if (other.Workspace is { ReadOnly: true })
            Key(other).ShouldNotBe(Key(Launch with { Workspace = new SharedFolderLaunch("/w", ReadOnly: false) }));
    }

    [Fact]
    public void The_image_the_guest_init_and_the_QEMU_version_change_the_key()
    {
        Key(Launch, image: "other").ShouldNotBe(Key(Launch));
        Key(Launch, init: "other").ShouldNotBe(Key(Launch));
        Key(Launch, qemu: "8.0.0").ShouldNotBe(Key(Launch));
        Key(Launch).Length.ShouldBe(64);
    }

    [Fact]
    public void QMP_and_the_incoming_stream_ride_on_inherited_fds()
    {
        var args = QemuArguments.Build(Launch with { QmpFd = 7, IncomingFd = 8 });
        string.Join(' ', args).ShouldContain("-chardev socket,id=qmp,fd=7 -mon chardev=qmp,mode=control");
        string.Join(' ', args).ShouldContain("-incoming fd:8");
        QemuArguments.Build(Launch).ShouldNotContain("-incoming");
    }

    private static FileFacts Own(UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite, long size = 100) =>
        new(IsDirectory: false, IsLink: false, IsRegularFile: true, Uid: 1000, Gid: 1000, Mode: mode, Size: size);

    [Fact]
    public void Only_the_users_own_private_regular_file_is_ever_restored()
    {
        SnapshotFile.Problem(Own(), 1000).ShouldBeNull();
        SnapshotFile.Problem(null, 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own() with { IsLink = true, IsRegularFile = false }, 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own() with { IsRegularFile = false }, 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own() with { Uid = 1001 }, 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead), 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own(UnixFileMode.UserRead | UnixFileMode.OtherWrite), 1000).ShouldNotBeNull();
        SnapshotFile.Problem(Own(size: 0), 1000).ShouldNotBeNull();
    }

    [Fact]
    public void A_snapshot_lives_under_the_cache_by_its_key_and_nothing_else_names_a_path()
    {
        var paths = new LethePaths("/c", "/s", "/r");
        var key = new string('a', 64);
        SnapshotFile.PathFor(paths, key).ShouldBe("/c/warm/" + key + ".vmstate");
        Should.Throw<ArgumentException>(() => SnapshotFile.PathFor(paths, "../../etc/passwd"));
        Should.Throw<ArgumentException>(() => SnapshotFile.PathFor(paths, new string('A', 64)));
    }

    [Fact]
    public void Disk_sizes_change_the_key_the_guest_read_them_before_the_snapshot()
    {
        var launch = Launch with { PersistDisk = "/p", ScratchDisk = "/s" };
        var key = SnapshotKey.For(launch, "img", "init", "7.2.22", new SnapshotKey.DiskSizes(256L << 20, 512L << 20));
        key.ShouldBe(SnapshotKey.For(launch with { PersistDisk = "/q" }, "img", "init", "7.2.22", new SnapshotKey.DiskSizes(256L << 20, 512L << 20)));
        key.ShouldNotBe(SnapshotKey.For(launch, "img", "init", "7.2.22", new SnapshotKey.DiskSizes(257L << 20, 512L << 20)));
        key.ShouldNotBe(SnapshotKey.For(launch, "img", "init", "7.2.22", new SnapshotKey.DiskSizes(256L << 20, 1L << 30)));
    }

    [Fact]
    public void The_last_used_snapshots_are_kept_and_the_rest_and_the_idle_ones_collected()
    {
        var now = new DateTime(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
        var snapshots = Enumerable.Range(0, 6).Select(i => ($"/w/{i}.vmstate", now.AddHours(-i))).ToList();
        SnapshotFile.ToCollect(snapshots, now).ShouldBe(["/w/4.vmstate", "/w/5.vmstate"]);
        SnapshotFile.ToCollect([("/w/old.vmstate", now - SnapshotFile.MaxIdle - TimeSpan.FromMinutes(1)), ("/w/new.vmstate", now)], now).ShouldBe(["/w/old.vmstate"]);
        SnapshotFile.ToCollect([], now).ShouldBeEmpty();
    }
}

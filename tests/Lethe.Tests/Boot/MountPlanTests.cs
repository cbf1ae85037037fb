using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

public sealed class MountPlanTests
{
    private static readonly GuestSeed Seed = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
    };

    private static IReadOnlyList<BootStep> Plan => MountPlan.Root(Seed, "/dev/vda");

    private static Mount MountAt(string target) => Plan.OfType<Mount>().Single(m => m.Target == target);

    [Fact]
    public void The_image_is_mounted_read_only_as_the_lower_layer()
    {
        var lower = MountAt(MountPlan.Lower);
        lower.FsType.ShouldBe("erofs");
        lower.Source.ShouldBe("/dev/vda");
        lower.Options.HasFlag(MountOptions.ReadOnly).ShouldBeTrue();
    }

    [Fact]
    public void The_root_is_an_overlay_whose_writable_layer_is_capped_tmpfs()
    {
        MountAt(MountPlan.Writable).FsType.ShouldBe("tmpfs");
        MountAt(MountPlan.Writable).Data.ShouldNotBeNull().ShouldContain("size=512m");
        var root = MountAt(MountPlan.NewRoot);
        root.FsType.ShouldBe("overlay");
        root.Data.ShouldNotBeNull().ShouldContain($"lowerdir={MountPlan.Lower}");
        root.Data.ShouldContain($"upperdir={MountPlan.Writable}/upper");
    }

    [Fact]
    public void Home_and_tmp_are_in_ram_apart_from_the_root_with_nosuid_nodev()
    {
        var home = MountAt("/newroot/home");
        home.Data.ShouldNotBeNull().ShouldContain($"upperdir={MountPlan.HomeWritable}/upper");
        MountAt(MountPlan.HomeWritable).FsType.ShouldBe("tmpfs");
        var tmp = MountAt("/newroot/tmp");
        tmp.FsType.ShouldBe("tmpfs");
        tmp.Data.ShouldNotBeNull().ShouldContain("mode=1777");
        foreach (var m in new[] { home, tmp })
        {
            m.Options.HasFlag(MountOptions.NoSuid).ShouldBeTrue();
            m.Options.HasFlag(MountOptions.NoDev).ShouldBeTrue();
        }
    }

    [Fact]
    public void Layers_are_mounted_before_what_stands_on_them_and_kernel_filesystems_move_last()
    {
        var targets = Plan.Select(s => s switch { Mount m => m.Target, MoveMount m => m.Target, MakeDirectory d => d.Path, _ => "" }).ToList();
        targets.IndexOf(MountPlan.Lower).ShouldBeLessThan(targets.IndexOf(MountPlan.NewRoot));
        targets.IndexOf(MountPlan.NewRoot).ShouldBeLessThan(targets.IndexOf("/newroot/home"));
        targets.IndexOf("/newroot/dev").ShouldBeLessThan(targets.IndexOf("/newroot/dev/pts"));
    }

    [Fact]
    public void Caps_scale_with_memory()
    {
        TmpfsCaps.For(4096).ShouldBe(new TmpfsCaps(2048, 1024, 1024, 256));
    }

    [Fact]
    public void Early_mounts_give_the_init_proc_sys_and_dev()
    {
        MountPlan.Early().OfType<Mount>().Select(m => m.FsType).ShouldBe(["proc", "sysfs", "devtmpfs"]);
    }
}

public sealed class WorkspacePlanTests
{
    [Fact]
    public void An_rw_workspace_is_the_9p_share_itself_without_suid_or_devices()
    {
        var steps = WorkspacePlan.For(new SharedFolder("tag", "/work", Overlay: false), "/newroot");
        var mount = steps.ShouldHaveSingleItem().ShouldBeOfType<Mount>();
        mount.Target.ShouldBe("/newroot/work");
        mount.FsType.ShouldBe("9p");
        mount.Data.ShouldNotBeNull().ShouldContain("trans=virtio");
        // Coherent with host edits (stat and data go to the host), names cached: see WorkspacePlan.NineP.
        mount.Data.Split(',').ShouldContain("cache=mmap");
        mount.Data.Split(',').ShouldNotContain("cache=loose");
        mount.Options.HasFlag(MountOptions.NoSuid).ShouldBeTrue();
        mount.Options.HasFlag(MountOptions.NoDev).ShouldBeTrue();
    }

    [Fact]
    public void An_overlay_workspace_puts_ram_above_a_read_only_share()
    {
        var steps = WorkspacePlan.For(new SharedFolder("tag", "/work", Overlay: true), "/newroot").OfType<Mount>().ToList();
        steps[0].FsType.ShouldBe("9p");
        steps[0].Options.HasFlag(MountOptions.ReadOnly).ShouldBeTrue();
        steps[0].Data.ShouldBe(WorkspacePlan.NineP);
        steps[1].FsType.ShouldBe("tmpfs");
        steps[^1].FsType.ShouldBe("overlay");
        steps[^1].Target.ShouldBe("/newroot/work");
        steps[^1].Data.ShouldNotBeNull().ShouldContain("lowerdir=/newroot" + WorkspacePlan.OverlayLower);
    }
}

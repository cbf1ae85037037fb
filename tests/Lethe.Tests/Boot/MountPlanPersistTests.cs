using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

/// <summary>The writable layers moved under /run/lethe for "persist diff", and the persist disk at /persist.</summary>
public sealed class MountPlanPersistTests
{
    private static readonly GuestSeed Seed = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
        Persist = [new PersistPath("/etc/ssh")],
    };

    private static string Target(BootStep step) => step switch
    {
        Mount m => m.Target,
        MoveMount m => m.Target,
        MakeDirectory d => d.Path,
        _ => "",
    };

    [Fact]
    public void The_writable_layers_move_under_run_lethe_in_the_new_root_after_the_overlays_use_them()
    {
        var plan = MountPlan.Root(Seed, "/dev/vda").ToList();
        var root = plan.OfType<MoveMount>().Single(m => m.Source == MountPlan.Writable);
        var home = plan.OfType<MoveMount>().Single(m => m.Source == MountPlan.HomeWritable);

        root.Target.ShouldBe("/newroot" + SeedLayout.RootUpperView);
        home.Target.ShouldBe("/newroot" + SeedLayout.HomeUpperView);
        var overlays = plan.FindLastIndex(s => s is Mount { FsType: "overlay" });
        var run = plan.FindIndex(s => s is Mount { Target: "/newroot/run" });
        plan.IndexOf(root).ShouldBeGreaterThan(Math.Max(overlays, run));
        plan.IndexOf(home).ShouldBeGreaterThan(Math.Max(overlays, run));
    }

    [Fact]
    public void Only_root_can_enter_the_views()
    {
        var plan = MountPlan.Root(Seed, "/dev/vda").ToList();
        var lethe = plan.OfType<MakeDirectory>().Single(d => d.Path == "/newroot/run/lethe");
        var upper = plan.OfType<MakeDirectory>().Single(d => d.Path == "/newroot/run/lethe/upper");

        lethe.Mode.ShouldBe(FakeTree.Octal("700"));
        upper.Mode.ShouldBe(FakeTree.Octal("700"));
        plan.IndexOf(lethe).ShouldBeGreaterThan(plan.FindIndex(s => s is Mount { Target: "/newroot/run" }));
        plan.IndexOf(upper).ShouldBeLessThan(plan.FindIndex(s => s is MoveMount { Source: MountPlan.Writable }));
    }

    [Fact]
    public void Without_a_persist_disk_nothing_is_mounted_at_persist() =>
        MountPlan.Root(Seed, "/dev/vda").ShouldNotContain(s => Target(s).StartsWith("/newroot/persist"));

    [Fact]
    public void The_persist_disk_is_ext4_at_persist_nodev_but_neither_noexec_nor_nosuid_nor_read_only()
    {
        var mount = MountPlan.Root(Seed, "/dev/vda", "/dev/vdb").OfType<Mount>().Single(m => m.Source == "/dev/vdb");

        mount.Target.ShouldBe("/newroot" + SeedLayout.PersistMount);
        mount.FsType.ShouldBe("ext4");
        mount.Options.ShouldBe(MountOptions.NoDev);
    }

    [Fact]
    public void The_persist_disk_is_root_only_once_mounted_with_data_and_identity_folders()
    {
        var plan = MountPlan.Root(Seed, "/dev/vda", "/dev/vdb").ToList();
        var mounted = plan.FindIndex(s => s is Mount { Source: "/dev/vdb" });
        var folders = plan.OfType<MakeDirectory>().Where(d => d.Path.StartsWith("/newroot/persist")).ToList();

        folders.ShouldBe(
        [
            new MakeDirectory("/newroot/persist", FakeTree.Octal("700")),
            new MakeDirectory("/newroot/persist/data", FakeTree.Octal("755")),
            new MakeDirectory("/newroot/persist/identity", FakeTree.Octal("700")),
        ]);
        folders.ShouldAllBe(d => plan.IndexOf(d) > mounted);
        mounted.ShouldBeGreaterThan(plan.FindIndex(s => s is Mount { Target: MountPlan.NewRoot }));
    }

    [Fact]
    public void The_persist_disk_is_mounted_while_its_device_node_is_still_at_dev()
    {
        var plan = MountPlan.Root(Seed, "/dev/vda", "/dev/vdb").ToList();

        plan.FindIndex(s => s is Mount { Source: "/dev/vdb" })
            .ShouldBeLessThan(plan.FindIndex(s => s is MoveMount { Source: "/dev" }));
    }
}

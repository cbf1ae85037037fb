using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Tests.Machine;

public sealed class SeedTests
{
    private static MachineSpec Spec(string yaml) => SpecLoader.Parse(yaml, null).Spec.ShouldNotBeNull();

    private static BootRequest Boot(MachineSpec spec, string? persistDisk = null, WorkspaceSpec? workspace = null) => new()
    {
        Spec = spec,
        Image = new ImageSet("digest", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1.0", [], true),
        Accel = new AccelDecision(Accelerator.Tcg, "test"),
        MemoryMiB = 2048,
        Cpus = 1,
        PersistDisk = persistDisk,
        Workspace = workspace,
    };

    [Fact]
    public void A_one_shot_run_keeps_nothing_and_gets_a_fresh_identity_whatever_the_spec_says()
    {
        var seed = SeedBuilder.For(Boot(Spec("persist: [/etc/x]\nidentity: keep\n")));
        seed.Persist.ShouldBeNull();
        seed.KeepIdentity.ShouldBeFalse();
    }

    [Fact]
    public void A_workstation_gets_its_allowlist_with_the_home_expanded_and_keeps_its_identity()
    {
        var seed = SeedBuilder.For(Boot(Spec("user: {name: ana}\npersist: [/etc/x, {path: ~/src, mode: \"0700\"}]\n"), persistDisk: "/p.ext4"));
        seed.KeepIdentity.ShouldBeTrue();
        seed.Persist.ShouldNotBeNull().Select(p => (p.GuestPath, p.Mode, p.InHome)).ShouldBe([("/etc/x", (int?)null, false), ("/home/ana/src", (int?)0b111_000_000, true)]);
        SeedBuilder.For(Boot(Spec("identity: fresh\n"), persistDisk: "/p.ext4")).KeepIdentity.ShouldBeFalse();
    }

    [Fact]
    public void A_shared_folder_reaches_the_seed_by_tag_and_mount_point_but_none_shares_nothing()
    {
        var seed = SeedBuilder.For(Boot(Spec(""), workspace: new WorkspaceSpec("/host/dir", WorkspaceMode.Overlay, "/work")));
        seed.Workspace.ShouldBe(new SharedFolder(SeedLayout.WorkspaceTag, "/work", Overlay: true));
        SeedBuilder.For(Boot(Spec(""), workspace: new WorkspaceSpec(null, WorkspaceMode.None, "/work"))).Workspace.ShouldBeNull();
    }

    [Fact]
    public void The_seed_carries_user_hostname_init_and_env_from_the_spec()
    {
        var seed = SeedBuilder.For(Boot(Spec("name: box\nuser: {name: ana, uid: 1500}\ninit: systemd\nenv: {EDITOR: vim}\n")));
        seed.Hostname.ShouldBe("box");
        seed.User.ShouldBe(new GuestUser("ana", 1500, 1500, "/home/ana", "/bin/bash"));
        seed.Init.ShouldBe(InitMode.Systemd);
        seed.Environment.ShouldNotBeNull()["EDITOR"].ShouldBe("vim");
        seed.MemoryMiB.ShouldBe(2048);
    }

    [Fact]
    public void The_seed_message_carries_the_seed_fresh_entropy_and_the_clock_through_the_channel_format()
    {
        var seed = SeedBuilder.For(Boot(SpecLoader.Default()));
        var first = MachineBoot.SeedMessageFor(seed);
        var second = MachineBoot.SeedMessageFor(seed);
        var line = ProtocolJson.Serialize(first);
        var (read, entropy, clock) = SeedMessages.Read(ControlChannel.TryParse(line));
        read.User.Name.ShouldBe("dev");
        entropy.Length.ShouldBe(SeedMessages.EntropyBytes);
        second.Data.ShouldNotBe(first.Data);
        (DateTimeOffset.UtcNow - clock).ShouldBeLessThan(TimeSpan.FromMinutes(1));
    }
}

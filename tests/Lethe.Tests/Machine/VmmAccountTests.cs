using Lethe.Machine.Qemu;

namespace Lethe.Tests.Machine;

public sealed class VmmAccountTests
{
    private const int Dynamic = DynamicAccountRange.First + 42;

    [Fact]
    public void An_ordinary_user_runs_qemu_as_themselves()
    {
        VmmAccount.Decide(letheIsRoot: false, kvmGroup: 108, share: null, Dynamic).ShouldBeNull();
    }

    [Fact]
    public void As_root_without_a_share_qemu_gets_the_runs_own_dynamic_uid_and_gid_and_no_groups()
    {
        var account = VmmAccount.Decide(true, null, null, Dynamic).ShouldNotBeNull();
        (account.Uid, account.Gid).ShouldBe((Dynamic, Dynamic));
        account.Groups.ShouldBeEmpty();
    }

    [Fact]
    public void The_only_supplementary_group_is_kvm_and_only_when_kvm_is_used_and_never_gid_0()
    {
        VmmAccount.Decide(true, 108, null, Dynamic)!.Groups.ShouldBe([108]);
        VmmAccount.Decide(true, null, null, Dynamic)!.Groups.ShouldBeEmpty();
        VmmAccount.Decide(true, 0, null, Dynamic)!.Groups.ShouldBeEmpty("a root-group /dev/kvm never gives QEMU gid 0");
        VmmAccount.Decide(true, 108, null, Dynamic)!.SetprivArguments().ShouldBe([$"--reuid={Dynamic}", $"--regid={Dynamic}", "--groups=108"]);
        VmmAccount.Decide(true, null, null, Dynamic)!.SetprivArguments().ShouldContain("--clear-groups");
    }

    [Fact]
    public void A_workspace_share_runs_as_its_owner_with_the_owners_primary_group()
    {
        var share = ShareAccess.Decide(true, 1000, 1000, (UnixFileMode)0b111_000_000, "/w");
        var account = VmmAccount.Decide(true, null, share, Dynamic)!;
        (account.Uid, account.Gid).ShouldBe((1000, 1000));
    }

    [Fact]
    public void A_root_owned_share_falls_back_to_the_dynamic_account()
    {
        var share = ShareAccess.Decide(true, 0, 0, (UnixFileMode)0b111_101_101, "/w");
        var account = VmmAccount.Decide(true, null, share, Dynamic)!;
        (account.Uid, account.Gid).ShouldBe((Dynamic, Dynamic));
    }

    [Fact]
    public void A_dynamic_id_outside_lethes_range_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => VmmAccount.Decide(true, null, null, 65534));
        Should.Throw<ArgumentOutOfRangeException>(() => VmmAccount.Decide(true, null, null, 0));
    }

    [Fact]
    public void The_dynamic_range_avoids_systemds_ranges_nobody_and_ordinary_subordinate_ids()
    {
        DynamicAccountRange.First.ShouldBeGreaterThan(1_879_048_191, "above systemd's container range");
        DynamicAccountRange.Last.ShouldBeLessThan(0x7FFE_0000, "below systemd's foreign range");
        DynamicAccountRange.Contains(65534).ShouldBeFalse();
        DynamicAccountRange.Contains(100_000 + 65_536 * 1000).ShouldBeFalse("useradd's subordinate ids start at 100000, 65536 per user");
    }

    [Fact]
    public void Picking_skips_taken_ids_and_wraps_around()
    {
        var taken = new HashSet<int> { DynamicAccountRange.First + 5, DynamicAccountRange.First + 6 };
        DynamicAccountRange.Pick(taken.Contains, 5).ShouldBe(DynamicAccountRange.First + 7);
        DynamicAccountRange.Pick(id => id != DynamicAccountRange.First, DynamicAccountRange.Count - 1).ShouldBe(DynamicAccountRange.First);
        DynamicAccountRange.Pick(_ => true, 0).ShouldBeNull();
    }

    [Fact]
    public void Host_ids_come_from_account_files_subordinate_ranges_and_process_status()
    {
        const string passwd = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\ndev:x:1000:1001::/home/dev:/bin/sh\n";
        HostIds.OfAccountFile(passwd).ShouldBe([0, 0, 65534, 65534, 1000, 1001]);
        HostIds.OfAccountFile("kvm:x:108:\ndocker:x:999:dev\n").ShouldBe([108, 999]);
        HostIds.PrimaryGroupOf(passwd, 1000).ShouldBe(1001);
        HostIds.PrimaryGroupOf(passwd, 0).ShouldBe(0);
        HostIds.PrimaryGroupOf(passwd, 4242).ShouldBeNull();
        HostIds.SubordinateRanges("dev:100000:65536\nbad line\n").ShouldBe([(100000L, 65536L)]);
        HostIds.OfProcessStatus("Name:\tqemu\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nGroups:\t108 999 \nVmRSS:\t10 kB\n")
            .ShouldBe([1, 2, 3, 4, 5, 6, 7, 8, 108, 999]);
    }
}

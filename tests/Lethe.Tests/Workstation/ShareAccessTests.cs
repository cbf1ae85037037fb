using Lethe.Machine.Qemu;

namespace Lethe.Tests.Workstation;

public sealed class ShareAccessTests
{
    private const UnixFileMode Open = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Private = (UnixFileMode)0b111_000_000;

    [Fact]
    public void As_an_ordinary_user_qemu_is_that_user_and_shares_as_is()
    {
        ShareAccess.Decide(letheIsRoot: false, 1000, 1000, Private, "/w").ShouldBe(new ShareAccess(null, null, true, null));
    }

    [Fact]
    public void As_root_qemu_runs_as_the_folders_owner_so_guest_files_belong_to_them()
    {
        ShareAccess.Decide(true, 1234, 1235, Private, "/w").ShouldBe(new ShareAccess(1234, 1235, true, null));
    }

    [Fact]
    public void A_root_owned_folder_is_never_served_by_a_root_qemu()
    {
        var readable = ShareAccess.Decide(true, 0, 0, Open, "/w");
        readable.Shared.ShouldBeTrue();
        readable.RunAsUid.ShouldBeNull();
        readable.Note.ShouldNotBeNull().ShouldContain("not write");
        var closed = ShareAccess.Decide(true, 0, 0, Private, "/w");
        closed.Shared.ShouldBeFalse();
        closed.Note.ShouldNotBeNull().ShouldContain("not sharing");
    }

    [Fact]
    public void A_folder_whose_owner_has_no_account_or_roots_primary_group_is_served_by_the_dynamic_account()
    {
        foreach (var gid in new int?[] { null, 0 })
        {
            var share = ShareAccess.Decide(true, 1234, gid, Open, "/w");
            share.RunAsUid.ShouldBeNull();
            share.RunAsGid.ShouldBeNull();
            share.Note.ShouldNotBeNull().ShouldContain("uid 1234");
            ShareAccess.Decide(true, 1234, gid, Private, "/w").Shared.ShouldBeFalse();
        }
    }
}

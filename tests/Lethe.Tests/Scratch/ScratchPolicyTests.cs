using Lethe.Machine.Scratch;

namespace Lethe.Tests.Scratch;

public sealed class ScratchPolicyTests
{
    [Theory]
    [InlineData("tmpfs")]
    [InlineData("ramfs")]
    [InlineData("tmpfs\n")]
    public void A_ram_backed_folder_is_refused_with_the_way_out(string type)
    {
        var refusal = ScratchPolicy.FolderRefusal("/c/scratch", type, null).ShouldNotBeNull();
        refusal.ShouldContain("/c/scratch is on " + type.Trim());
        refusal.ShouldContain("LETHE_SCRATCH_ALLOW_TMPFS=1");
    }

    [Fact]
    public void The_variable_allows_tmpfs_only_when_it_is_exactly_1()
    {
        ScratchPolicy.FolderRefusal("/c", "tmpfs", "1").ShouldBeNull();
        ScratchPolicy.FolderRefusal("/c", "tmpfs", "yes").ShouldNotBeNull();
        ScratchPolicy.FolderRefusal("/c", "tmpfs", "").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("ext2/ext3")]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    [InlineData("overlayfs")]
    public void Disk_backed_folders_are_fine(string type) =>
        ScratchPolicy.FolderRefusal("/c", type, null).ShouldBeNull();

    [Fact]
    public void Free_space_must_cover_the_whole_disk()
    {
        ScratchPolicy.SpaceShortfall("/c", 20L << 30, 20480).ShouldBeNull();
        ScratchPolicy.SpaceShortfall("/c", (20L << 30) - 1, 20480).ShouldBe("the scratch disk needs 20 GiB but /c has only 20 GiB free");
        ScratchPolicy.SpaceShortfall("/c", 300L << 20, 1024).ShouldBe("the scratch disk needs 1 GiB but /c has only 300 MiB free");
    }

    [Fact]
    public void Files_are_named_after_their_run_and_lead_back_to_it()
    {
        var file = ScratchPolicy.FileFor("/c/scratch", "dev-123-abcd");
        file.ShouldBe("/c/scratch/dev-123-abcd.scratch");
        ScratchPolicy.RunOf(Path.GetFileName(file)).ShouldBe("dev-123-abcd");
        ScratchPolicy.RunOf("notes.txt").ShouldBeNull();
        ScratchPolicy.RunOf(".scratch").ShouldBeNull();
        Should.Throw<ArgumentException>(() => ScratchPolicy.FileFor("/c", "../x"));
    }
}

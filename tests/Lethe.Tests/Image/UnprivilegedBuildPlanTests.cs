using Lethe.Core;
using Lethe.Image.Cache;
using Lethe.Image.Keys;
using Lethe.Image.Rootfs;

namespace Lethe.Tests.Image;

/// <summary>How an ordinary user's build reaches its tree: one namespace wrapper, the same steps as root's.</summary>
public sealed class UnprivilegedBuildPlanTests
{
    private static readonly ImageRecipe Recipe = new("bookworm", [], "dev", 1000, UserSudo: true, []);
    private const string Subuid = "alice:100000:65536\nbob:165536:65536\n";

    [Fact]
    public void Root_runs_tools_as_they_are_and_builds_in_root_mode()
    {
        var root = new TreeAccess(AsRoot: true);
        var command = new HostCommand("chroot").WithArguments("/t", "useradd", "dev").WithEnvironment("LC_ALL", "C.UTF-8");

        root.Wrap(command).ShouldBe(command);
        root.MmdebstrapMode.ShouldBe("root");
        Mmdebstrap.Command(Recipe, "/t", null, root.MmdebstrapMode).Arguments.ShouldContain("--mode=root");
    }

    [Fact]
    public void A_user_runs_each_tool_as_namespace_root_with_its_subordinate_ids_and_itself_mapped()
    {
        var user = new TreeAccess(AsRoot: false);
        var command = new HostCommand("mkfs.erofs").WithArguments("--quiet", "/w/part/rootfs.erofs", "/w/tree")
            .WithEnvironment("SOURCE_DATE_EPOCH", "1").WithTimeout(TimeSpan.FromMinutes(20));

        var wrapped = user.Wrap(command);

        wrapped.Program.ShouldBe("unshare");
        wrapped.Arguments.ShouldBe(["--map-auto", "--map-user=65536", "--map-group=65536", "--setuid=0", "--setgid=0", "--",
            "mkfs.erofs", "--quiet", "/w/part/rootfs.erofs", "/w/tree"]);
        wrapped.Environment["SOURCE_DATE_EPOCH"].ShouldBe("1");
        wrapped.Timeout.ShouldBe(TimeSpan.FromMinutes(20));
        Mmdebstrap.Command(Recipe, "/t", null, user.MmdebstrapMode).Arguments.ShouldContain("--mode=unshare");
    }

    [Fact]
    public void Fixed_files_include_sudoers_only_when_the_user_may_sudo()
    {
        RootfsCustomization.FixedFilesFor(Recipe).ShouldContain(file => file.Path == RootfsCustomization.SudoersPath && file.Mode == 0b100_100_000);
        RootfsCustomization.FixedFilesFor(Recipe with { UserSudo = false }).ShouldNotContain(file => file.Path == RootfsCustomization.SudoersPath);
    }

    [Fact]
    public void Subordinate_ranges_are_found_by_name_or_id()
    {
        SubordinateIds.RangeFor(Subuid, "bob", 1002).ShouldBe(new SubordinateRange(165536, 65536));
        SubordinateIds.RangeFor("1003:200000:65536\n", "carol", 1003).ShouldBe(new SubordinateRange(200000, 65536));
        SubordinateIds.RangeFor(Subuid, "carol", 1003).ShouldBeNull();
        SubordinateIds.RangeFor("# comment\ngarbage\ncarol:x:1\n", "carol", 1003).ShouldBeNull();
    }

    [Fact]
    public void A_missing_or_small_range_is_a_problem_whose_fix_takes_a_free_block_in_both_files()
    {
        SubordinateIds.Problem(Subuid, Subuid, "alice", 1001).ShouldBeNull();
        SubordinateIds.Problem(Subuid, "", "alice", 1001).ShouldBe("/etc/subgid has no range for alice: an image build needs one for its user namespace");
        SubordinateIds.Problem("carol:300000:1000\n", "carol:300000:65536\n", "carol", 1003)!.ShouldContain("gives carol 1000 ids");
        SubordinateIds.FixCommand(Subuid, "", "carol").ShouldBe("sudo usermod --add-subuids 231072-296607 --add-subgids 231072-296607 carol");
        SubordinateIds.FixCommand("", "", "carol").ShouldBe("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 carol");
    }

    [Theory]
    [InlineData(0, "", "", null)]
    [InlineData(1, "/a /b differ: byte 70001, line 1\n", "", 70000L)]
    [InlineData(1, "", "cmp: EOF on /b after byte 100000, line 3\n", 100000L)]
    [InlineData(1, "", "cmp: EOF on /b which is empty\n", 0L)]
    public void Cmp_results_become_the_offset_of_the_first_difference(int exitCode, string stdout, string stderr, long? offset)
    {
        TreeComparison.CmpOffset(exitCode, stdout, stderr).ShouldBe(offset);
    }

    [Fact]
    public void A_cmp_that_could_not_compare_is_an_error_not_a_difference()
    {
        Should.Throw<ToolFailedException>(() => TreeComparison.CmpOffset(2, "", "cmp: /a: Permission denied\n"));
    }
}

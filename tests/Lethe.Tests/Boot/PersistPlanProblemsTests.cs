using Lethe.Protocol;
using Lethe.Protocol.Boot;
using static Lethe.Tests.Boot.PersistPlanning;

namespace Lethe.Tests.Boot;

/// <summary>Paths that cannot be kept safely are problems (the guest then refuses to boot), each named.</summary>
public sealed class PersistPlanProblemsTests
{
    private static string Problem(FakeTree tree, PersistPath entry)
    {
        var plan = Plan(tree, entry);
        plan.Steps.ShouldBeEmpty();
        return plan.Problems.ShouldHaveSingleItem();
    }

    [Fact]
    public void A_symlink_in_the_image_is_not_kept() =>
        Problem(FakeTree.Image(), At("/var/run")).ShouldBe("/var/run: it is a symbolic link in the image; keep the path it points to instead");

    [Fact]
    public void A_fifo_in_the_image_is_not_kept() =>
        Problem(FakeTree.Image().Fifo("/var/lib/pipe"), At("/var/lib/pipe"))
            .ShouldBe("/var/lib/pipe: it is a device, FIFO or socket in the image; only files and folders can be kept");

    [Fact]
    public void A_file_in_the_image_that_is_a_folder_on_the_disk_is_not_bound() =>
        Problem(FakeTree.Image().Dir("/persist/data/home", 0, 0, "755").Dir("/persist/data/home/dev", 1000, 1000, "700")
                .Dir("/persist/data/home/dev/.bashrc", 1000, 1000, "755"), Home(".bashrc"))
            .ShouldBe("/home/dev/.bashrc: it is a file in the image but a folder on the persist disk");

    [Fact]
    public void A_type_that_contradicts_the_image_is_named() =>
        Problem(FakeTree.Image(), Home(".bashrc", PersistKind.Directory))
            .ShouldBe("/home/dev/.bashrc: the spec says type: dir, but it is a file in the image");

    [Fact]
    public void A_type_that_contradicts_the_disk_is_named() =>
        Problem(FakeTree.Image().Dir("/persist/data/srv", 0, 0, "755").Dir("/persist/data/srv/x", 0, 0, "755"), At("/srv/x", PersistKind.File))
            .ShouldBe("/srv/x: the spec says type: file, but it is a folder on the persist disk");

    [Fact]
    public void An_unknown_owner_is_named() =>
        Problem(FakeTree.Image(), At("/srv/db", owner: "postgress"))
            .ShouldBe("/srv/db: owner 'postgress' is not a user in the machine's /etc/passwd");

    [Fact]
    public void A_path_under_a_file_is_not_kept() =>
        Problem(FakeTree.Image(), Home(".bashrc/x"))
            .ShouldBe("/home/dev/.bashrc/x: /home/dev/.bashrc is a file in the image, not a folder");

    [Fact]
    public void A_parent_on_the_disk_that_is_not_a_folder_is_named() =>
        Problem(FakeTree.Image().File("/persist/data/etc", 0, 0, "644"), At("/etc/ssh"))
            .ShouldBe("/etc/ssh: /persist/data/etc on the persist disk is not a folder");

    [Fact]
    public void A_symlink_on_the_disk_is_not_followed() =>
        Problem(FakeTree.Image().Dir("/persist/data/etc", 0, 0, "755").Link("/persist/data/etc/ssh"), At("/etc/ssh"))
            .ShouldBe("/etc/ssh: /persist/data/etc/ssh on the persist disk is neither a file nor a folder");

    [Theory]
    [InlineData("/", "not an absolute path to a file or folder")]
    [InlineData("etc/ssh", "not an absolute path to a file or folder")]
    [InlineData("/etc/ssh/", "not an absolute path to a file or folder")]
    [InlineData("/etc/../root", "not a normalised path (empty, '.' or '..' parts)")]
    [InlineData("/etc//ssh", "not a normalised path (empty, '.' or '..' parts)")]
    [InlineData("/persist", "/persist cannot be kept")]
    [InlineData("/persist/data/x", "/persist cannot be kept")]
    [InlineData("/proc/1", "/proc cannot be kept")]
    [InlineData("/run/lethe", "/run cannot be kept")]
    [InlineData("/tmp", "/tmp cannot be kept")]
    public void Paths_the_guest_refuses_whatever_the_host_sent(string path, string problem) =>
        Problem(FakeTree.Image(), At(path)).ShouldBe($"{path}: {problem}");

    [Fact]
    public void Repeated_and_nested_paths_are_problems_and_the_others_are_still_planned()
    {
        var plan = Plan(FakeTree.Image(), At("/etc/ssh"), At("/etc/ssh"), At("/etc/ssh/keys"), At("/etc"), Home(".config/gh"));

        plan.Problems.ShouldBe(
        [
            "/etc/ssh: listed twice",
            "/etc/ssh/keys: inside /etc/ssh, which is kept already",
            "/etc: contains /etc/ssh, which is kept already",
        ]);
        plan.Steps.OfType<BindMount>().Select(b => b.Target).ShouldBe(["/etc/ssh", "/home/dev/.config/gh"]);
    }

    [Fact]
    public void Siblings_that_share_a_prefix_are_not_nested() =>
        Plan(FakeTree.Image(), At("/srv/a"), At("/srv/ab")).Problems.ShouldBeEmpty();

    [Fact]
    public void No_allowlist_entries_means_no_steps()
    {
        var plan = PersistPlan.For([], Dev, FakeTree.Image().Lstat, _ => null);

        plan.Steps.ShouldBeEmpty();
        plan.Problems.ShouldBeEmpty();
    }
}

using Lethe.Protocol;
using Lethe.Protocol.Boot;
using static Lethe.Tests.Boot.PersistPlanning;

namespace Lethe.Tests.Boot;

/// <summary>Later boots use what is on the disk; the spec's owner and mode are applied at every boot.</summary>
public sealed class PersistPlanLaterBootTests
{
    private static FakeTree Saved() => FakeTree.Image()
        .Dir("/persist/data/etc", 0, 0, "755")
        .Dir("/persist/data/etc/ssh", 0, 0, "755")
        .Dir("/persist/data/home", 0, 0, "755")
        .Dir("/persist/data/home/dev", 1000, 1000, "700")
        .Dir("/persist/data/home/dev/.config", 1000, 1000, "755")
        .Dir("/persist/data/home/dev/.config/gh", 1000, 1000, "750")
        .File("/persist/data/home/dev/.bashrc", 1000, 1000, "600");

    [Fact]
    public void A_path_on_the_disk_that_the_image_has_is_only_bound()
    {
        Steps(Saved(), At("/etc/ssh")).ShouldBe([new BindMount("/persist/data/etc/ssh", "/etc/ssh")]);
        Steps(Saved(), Home(".bashrc")).ShouldBe([new BindMount("/persist/data/home/dev/.bashrc", "/home/dev/.bashrc")]);
    }

    [Fact]
    public void A_path_the_image_lacks_gets_its_parents_and_a_mount_point_like_the_copy_on_the_disk()
    {
        Steps(Saved(), Home(".config/gh")).ShouldBe(
        [
            new CreateDirectory("/home/dev/.config", Own(1000, 1000, "755")),
            new CreateDirectory("/home/dev/.config/gh", Own(1000, 1000, "750")),
            new BindMount("/persist/data/home/dev/.config/gh", "/home/dev/.config/gh"),
        ]);
    }

    [Fact]
    public void The_specs_owner_and_mode_are_applied_to_the_copy_at_every_boot()
    {
        Steps(Saved(), At("/etc/ssh", mode: "700", owner: "postgres")).ShouldBe(
        [
            new SetOwnership("/persist/data/etc/ssh", 105, 111, FakeTree.Octal("700")),
            new BindMount("/persist/data/etc/ssh", "/etc/ssh"),
        ]);
    }

    [Fact]
    public void A_mode_alone_leaves_the_owner_as_it_is()
    {
        Steps(Saved(), Home(".bashrc", mode: "644")).ShouldBe(
        [
            new SetOwnership("/persist/data/home/dev/.bashrc", null, null, FakeTree.Octal("644")),
            new BindMount("/persist/data/home/dev/.bashrc", "/home/dev/.bashrc"),
        ]);
    }

    [Fact]
    public void At_the_first_boot_the_specs_owner_and_mode_follow_the_copy_from_the_image()
    {
        Steps(FakeTree.Image(), At("/etc/ssh", mode: "750", owner: "1000")).ShouldBe(
        [
            new CreateDirectory("/persist/data/etc", Own(0, 0, "755")),
            new CopyFromImage("/etc/ssh", "/persist/data/etc/ssh"),
            new SetOwnership("/persist/data/etc/ssh", 1000, 1000, FakeTree.Octal("750")),
            new BindMount("/persist/data/etc/ssh", "/etc/ssh"),
        ]);
    }

    [Fact]
    public void A_new_path_is_created_with_the_specs_owner_and_mode_at_once()
    {
        Steps(FakeTree.Image(), At("/srv/db", mode: "700", owner: "postgres")).ShouldBe(
        [
            new CreateDirectory("/srv", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/srv", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/srv/db", Own(105, 111, "700")),
            new CreateDirectory("/srv/db", Own(105, 111, "700")),
            new BindMount("/persist/data/srv/db", "/srv/db"),
        ]);
    }

    [Fact]
    public void A_numeric_owner_with_a_group_is_taken_as_written()
    {
        Steps(FakeTree.Image(), Home("work", owner: "2000:3000")).ShouldContain(
            new CreateDirectory("/persist/data/home/dev/work", Own(2000, 3000, "755")));
    }

    [Fact]
    public void A_type_that_matches_what_is_there_is_fine()
    {
        Steps(Saved(), Home(".bashrc", PersistKind.File)).ShouldBe([new BindMount("/persist/data/home/dev/.bashrc", "/home/dev/.bashrc")]);
        Steps(FakeTree.Image(), At("/etc/ssh", PersistKind.Directory)).Count.ShouldBe(3);
    }
}

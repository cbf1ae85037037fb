using Lethe.Protocol;
using Lethe.Protocol.Boot;
using static Lethe.Tests.Boot.PersistPlanning;

namespace Lethe.Tests.Boot;

/// <summary>The first boot of a kept path: its copy on the disk comes from the image or is created.</summary>
public sealed class PersistPlanFirstBootTests
{
    [Fact]
    public void A_folder_the_image_has_is_copied_to_the_disk_and_bound_over_the_original()
    {
        Steps(FakeTree.Image(), At("/etc/ssh")).ShouldBe(
        [
            new CreateDirectory("/persist/data/etc", Own(0, 0, "755")),
            new CopyFromImage("/etc/ssh", "/persist/data/etc/ssh"),
            new BindMount("/persist/data/etc/ssh", "/etc/ssh"),
        ]);
    }

    [Fact]
    public void A_home_file_the_image_has_is_copied_under_parents_that_mirror_the_images()
    {
        Steps(FakeTree.Image(), Home(".bashrc")).ShouldBe(
        [
            new CreateDirectory("/persist/data/home", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/home/dev", Own(1000, 1000, "700")),
            new CopyFromImage("/home/dev/.bashrc", "/persist/data/home/dev/.bashrc"),
            new BindMount("/persist/data/home/dev/.bashrc", "/home/dev/.bashrc"),
        ]);
    }

    [Fact]
    public void A_new_home_folder_and_its_missing_parents_belong_to_the_user_in_the_root_and_on_the_disk()
    {
        Steps(FakeTree.Image(), Home(".config/gh")).ShouldBe(
        [
            new CreateDirectory("/persist/data/home", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/home/dev", Own(1000, 1000, "700")),
            new CreateDirectory("/home/dev/.config", Own(1000, 1000, "755")),
            new CreateDirectory("/persist/data/home/dev/.config", Own(1000, 1000, "755")),
            new CreateDirectory("/persist/data/home/dev/.config/gh", Own(1000, 1000, "755")),
            new CreateDirectory("/home/dev/.config/gh", Own(1000, 1000, "755")),
            new BindMount("/persist/data/home/dev/.config/gh", "/home/dev/.config/gh"),
        ]);
    }

    [Fact]
    public void A_new_home_file_is_the_users_0644_and_a_missing_ssh_parent_is_0700()
    {
        var steps = Steps(FakeTree.Image(), Home(".ssh/known_hosts", PersistKind.File));

        steps.ShouldContain(new CreateDirectory("/home/dev/.ssh", Own(1000, 1000, "700")));
        steps.ShouldContain(new CreateDirectory("/persist/data/home/dev/.ssh", Own(1000, 1000, "700")));
        steps.ShouldContain(new CreateEmptyFile("/persist/data/home/dev/.ssh/known_hosts", Own(1000, 1000, "644")));
        steps.ShouldContain(new CreateEmptyFile("/home/dev/.ssh/known_hosts", Own(1000, 1000, "644")));
        steps[^1].ShouldBe(new BindMount("/persist/data/home/dev/.ssh/known_hosts", "/home/dev/.ssh/known_hosts"));
    }

    [Fact]
    public void A_new_folder_named_ssh_is_0700()
    {
        var steps = Steps(FakeTree.Image(), Home(".ssh"));

        steps.ShouldContain(new CreateDirectory("/persist/data/home/dev/.ssh", Own(1000, 1000, "700")));
        steps.ShouldContain(new CreateDirectory("/home/dev/.ssh", Own(1000, 1000, "700")));
    }

    [Fact]
    public void Outside_the_home_new_paths_and_parents_are_roots_0755()
    {
        Steps(FakeTree.Image(), At("/var/lib/postgresql/15")).ShouldBe(
        [
            new CreateDirectory("/persist/data/var", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/var/lib", Own(0, 0, "755")),
            new CreateDirectory("/var/lib/postgresql", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/var/lib/postgresql", Own(0, 0, "755")),
            new CreateDirectory("/persist/data/var/lib/postgresql/15", Own(0, 0, "755")),
            new CreateDirectory("/var/lib/postgresql/15", Own(0, 0, "755")),
            new BindMount("/persist/data/var/lib/postgresql/15", "/var/lib/postgresql/15"),
        ]);
    }

    [Fact]
    public void Outside_the_home_a_new_file_is_roots_0644()
    {
        var steps = Steps(FakeTree.Image(), At("/etc/lethe-note", PersistKind.File));

        steps.ShouldContain(new CreateEmptyFile("/persist/data/etc/lethe-note", Own(0, 0, "644")));
        steps.ShouldContain(new CreateEmptyFile("/etc/lethe-note", Own(0, 0, "644")));
    }

    [Fact]
    public void An_absolute_path_in_the_home_is_the_users_too()
    {
        var steps = Steps(FakeTree.Image(), At("/home/dev/notes"));

        steps.ShouldContain(new CreateDirectory("/persist/data/home/dev/notes", Own(1000, 1000, "755")));
    }

    [Fact]
    public void Parents_with_unusual_owners_and_modes_are_mirrored_exactly()
    {
        var steps = Steps(FakeTree.Image(), At("/var/spool/cron/crontabs/dev", PersistKind.File));

        steps.ShouldContain(new CreateDirectory("/persist/data/var/spool/cron/crontabs", Own(0, 101, "1730")));
        steps.ShouldContain(new CreateEmptyFile("/persist/data/var/spool/cron/crontabs/dev", Own(0, 0, "644")));
        steps.OfType<CreateDirectory>().ShouldNotContain(d => d.Path == "/var/spool/cron/crontabs");
    }

    [Fact]
    public void A_symlinked_parent_is_followed_in_the_root_and_becomes_a_plain_folder_on_the_disk()
    {
        var steps = Steps(FakeTree.Image(), At("/var/run/lethe-test"));

        steps.OfType<CreateDirectory>().ShouldNotContain(d => d.Path == "/var/run");
        steps.ShouldContain(new CreateDirectory("/persist/data/var/run", Own(0, 0, "755")));
        steps.ShouldContain(new CreateDirectory("/var/run/lethe-test", Own(0, 0, "755")));
    }

    [Fact]
    public void Paths_sharing_parents_create_each_parent_once()
    {
        var steps = Steps(FakeTree.Image(), Home(".config/gh"), Home(".config/git"), Home(".local/share/fish"));

        steps.OfType<CreateDirectory>().Select(d => d.Path).ShouldBeUnique();
        steps.OfType<CreateDirectory>().Count(d => d.Path == "/home/dev/.config").ShouldBe(1);
        steps.OfType<BindMount>().Select(b => b.Target).ShouldBe(["/home/dev/.config/gh", "/home/dev/.config/git", "/home/dev/.local/share/fish"]);
        steps.ShouldContain(new CreateDirectory("/home/dev/.local/share", Own(1000, 1000, "755")));
    }

    [Fact]
    public void Every_parent_is_created_before_what_is_in_it_and_each_bind_comes_last_for_its_path()
    {
        var steps = Steps(FakeTree.Image(), Home(".config/gh"), At("/var/lib/docker/volumes"), Home(".ssh/known_hosts", PersistKind.File));
        var created = steps.Select((s, i) => (Path: s switch { CreateDirectory d => d.Path, CreateEmptyFile f => f.Path, _ => null }, i))
            .Where(x => x.Path is not null).ToDictionary(x => x.Path!, x => x.i);

        foreach (var (path, index) in created)
        {
            var parent = path[..path.LastIndexOf('/')];
            if (created.TryGetValue(parent, out var parentIndex))
                parentIndex.ShouldBeLessThan(index, $"{parent} before {path}");
        }
        foreach (var (bind, index) in steps.Select((s, i) => (s as BindMount, i)).Where(x => x.Item1 is not null))
            created.Where(c => c.Key == bind!.Target || c.Key == bind!.Source).ShouldAllBe(c => c.Value < index);
    }
}

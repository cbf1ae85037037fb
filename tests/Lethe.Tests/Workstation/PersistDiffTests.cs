using Lethe.Machine.Persist;

namespace Lethe.Tests.Workstation;

public sealed class PersistDiffTests
{
    private const string Root = "/run/lethe/upper/root/upper";
    private const string Home = "/run/lethe/upper/home/upper";

    private static ListedFile F(string path, long size = 10, char type = 'f') => new(type, size, path);

    [Fact]
    public void Writes_outside_the_allowlist_are_listed_where_the_user_sees_them_grouped_by_directory()
    {
        var listing = new[]
        {
            F($"{Root}/etc/motd", 5), F($"{Root}/etc/apt/sources.list.d/x.list", 7), F($"{Root}/etc/apt/sources.list.d/y.list", 3),
            F($"{Home}/dev/notes.txt", 100), F("/tmp/build.log", 1000), F($"{Root}/etc", 0, 'd'),
        };
        PersistDiff.Summarize(listing, []).ShouldBe(
        [
            new PersistDiff.Group("/etc", 1, 5, 0),
            new PersistDiff.Group("/etc/apt/sources.list.d", 2, 10, 0),
            new PersistDiff.Group("/home/dev", 1, 100, 0),
            new PersistDiff.Group("/tmp", 1, 1000, 0),
        ]);
    }

    [Fact]
    public void Allowlisted_paths_and_what_lethe_itself_writes_are_not_listed()
    {
        var listing = new[] { F($"{Home}/dev/src/main.c"), F($"{Root}/etc/hostname"), F($"{Root}/etc/machine-id"), F($"{Home}/dev/srcs/x") };
        PersistDiff.Summarize(listing, ["/home/dev/src"]).ShouldBe([new PersistDiff.Group("/home/dev/srcs", 1, 10, 0)]);
    }

    [Fact]
    public void Deletions_from_the_image_show_as_whiteouts()
    {
        PersistDiff.Summarize([F($"{Root}/etc/issue", 0, 'c')], []).ShouldBe([new PersistDiff.Group("/etc", 0, 0, 1)]);
    }

    [Fact]
    public void The_listing_format_is_parsed_including_tabs_in_names()
    {
        FileListing.Parse("f\t12\t/a/b\nd\t4096\t/a\nf\t1\t/a/with\ttab\n").ShouldBe([F("/a/b", 12), F("/a", 4096, 'd'), F("/a/with\ttab", 1)]);
    }
}

public sealed class PersistGcTests
{
    private static ListedFile F(string path, long size = 10, char type = 'f') => new(type, size, path);

    [Fact]
    public void Entries_no_longer_allowlisted_are_reported_topmost_with_their_size_while_kept_ones_and_their_parents_are_not()
    {
        var listing = new[]
        {
            F("/home", 0, 'd'), F("/home/dev", 0, 'd'), F("/home/dev/src", 0, 'd'), F("/home/dev/src/a.c", 5),
            F("/home/dev/old", 0, 'd'), F("/home/dev/old/x", 7), F("/home/dev/old/y", 3),
            F("/etc", 0, 'd'), F("/etc/gone.conf", 2),
        };
        PersistGc.Orphans(listing, ["/home/dev/src"]).ShouldBe(
        [
            new PersistGc.Orphan("/etc", 2, 1),
            new PersistGc.Orphan("/home/dev/old", 10, 2),
        ]);
    }

    [Fact]
    public void Nothing_is_an_orphan_when_everything_is_allowlisted()
    {
        PersistGc.Orphans([F("/etc", 0, 'd'), F("/etc/ssh", 0, 'd'), F("/etc/ssh/k", 1)], ["/etc/ssh"]).ShouldBeEmpty();
    }
}

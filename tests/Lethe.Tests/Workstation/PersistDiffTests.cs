using Lethe.Machine.Persist;

namespace Lethe.Tests.Workstation;

public sealed class PersistDiffTests
{
    private const string Root = "/run/lethe/upper/root/upper";
    private const string Home = "/run/lethe/upper/home/upper";

    private static ListedFile F(string path, long size = 10, char type = 'f') => new(type, size, path);

    private static string Shape(IReadOnlyList<PersistDiff.Group> groups) =>
        string.Join(" | ", groups.Select(g => $"{g.Directory} {g.Bytes}: {string.Join(", ", g.Files.Select(f => $"{f.Path}={f.Bytes}"))}"
            + (g.Deleted.Count > 0 ? $" deleted {string.Join(", ", g.Deleted)}" : "")));

    [Fact]
    public void Lost_files_are_named_where_the_user_sees_them_grouped_by_directory_largest_first()
    {
        var listing = new[]
        {
            F($"{Root}/etc/motd", 5), F($"{Root}/etc/apt/sources.list.d/x.list", 7), F($"{Root}/etc/apt/sources.list.d/y.list", 30),
            F($"{Home}/dev/notes.txt", 100), F("/tmp/build.log", 1000), F($"{Root}/etc", 0, 'd'),
        };
        Shape(PersistDiff.Summarize(listing, [])).ShouldBe(
            "/tmp 1000: /tmp/build.log=1000 | /home/dev 100: /home/dev/notes.txt=100 | " +
            "/etc/apt/sources.list.d 37: /etc/apt/sources.list.d/y.list=30, /etc/apt/sources.list.d/x.list=7 | /etc 5: /etc/motd=5");
    }

    [Fact]
    public void Allowlisted_paths_and_what_lethe_itself_writes_are_not_listed()
    {
        var listing = new[] { F($"{Home}/dev/src/main.c"), F($"{Root}/etc/hostname"), F($"{Root}/etc/machine-id"), F($"{Home}/dev/srcs/x") };
        Shape(PersistDiff.Summarize(listing, ["/home/dev/src"])).ShouldBe("/home/dev/srcs 10: /home/dev/srcs/x=10");
    }

    [Fact]
    public void Deletions_from_the_image_show_as_whiteouts()
    {
        Shape(PersistDiff.Summarize([F($"{Root}/etc/issue", 0, 'c')], [])).ShouldBe("/etc 0:  deleted /etc/issue");
    }

    [Fact]
    public void The_listing_is_NUL_separated_so_tabs_and_newlines_stay_inside_one_name()
    {
        FileListing.Parse("f\t12\t/a/b\0d\t4096\t/a\0f\t1\t/a/with\ttab\0f\t2\t/a/x\nf\t0\t/etc/forged\0").ShouldBe(
            [F("/a/b", 12), F("/a", 4096, 'd'), F("/a/with\ttab", 1), F("/a/x\nf\t0\t/etc/forged", 2)]);
    }

    [Theory]
    [InlineData("/home/dev/plain.txt", "/home/dev/plain.txt")]
    [InlineData("/tmp/a\nb", "/tmp/a\\nb")]
    [InlineData("/tmp/\u001b]0;owned\u0007", "/tmp/\\x1b]0;owned\\x07")]
    [InlineData("/tmp/back\\slash\t", "/tmp/back\\\\slash\\t")]
    [InlineData("/tmp/\u009b31m", "/tmp/\\x9b31m")]
    public void Names_are_shown_with_control_characters_escaped(string name, string shown)
    {
        FileListing.Shown(name).ShouldBe(shown);
    }
}

public sealed class PersistGcTests
{
    private const string Data = "/persist/data";

    private static ListedFile F(string path, long size = 10, char type = 'f') => new(type, size, Data + path);

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

    [Fact]
    public void A_name_with_a_newline_that_forges_a_record_stays_one_entry_inside_the_kept_folder()
    {
        // A name cannot hold '/', but the folders below it can continue a forged path.
        var forged = "d\t0\t/persist/data/home/dev/src/x\nd\t0\t/x\0"
            + "d\t0\t/persist/data/home/dev/src/y\nd\t0\tXXXXXXXXXXXXX/home/dev/ghost\0"
            + "d\t0\t/persist/data/etc\0d\t0\t/persist/data/etc/keep\0d\t0\t/persist/data/home\0d\t0\t/persist/data/home/dev\0d\t0\t/persist/data/home/dev/src\0";
        var found = PersistGc.Find(FileListing.Parse(forged), ["/etc/keep", "/home/dev/src"]);
        found.Orphans.ShouldBeEmpty();
        found.Refused.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/persist/data/etc/../etc/keep")]
    [InlineData("/persist/data/../../etc")]
    [InlineData("/persist/data/./x")]
    [InlineData("/persist/data//x")]
    [InlineData("/persist/database")]
    [InlineData("/persist/identity/machine-id")]
    [InlineData("/etc/passwd")]
    [InlineData("/persist/data")]
    [InlineData("relative")]
    public void Entries_that_are_not_plainly_below_the_data_folder_are_refused_never_deleted(string path)
    {
        var found = PersistGc.Find([new ListedFile('d', 0, path)], ["/etc/keep"]);
        found.Orphans.ShouldBeEmpty();
        found.Refused.ShouldBe([path]);
    }

    [Fact]
    public void A_link_is_an_orphan_like_any_entry_and_its_removal_stays_below_the_data_folder()
    {
        var found = PersistGc.Find([F("/etc", 0, 'd'), F("/etc/keep", 0, 'd'), F("/etc/evil", 9, 'l')], ["/etc/keep"]);
        found.Orphans.ShouldBe([new PersistGc.Orphan("/etc/evil", 9, 1)]);
        PersistGc.Removal(found.Orphans).ShouldBe([new Lethe.Protocol.Boot.RemoveEntry("/persist/data/etc/evil", Data)]);
    }

    [Fact]
    public void A_removal_outside_the_data_folder_cannot_be_planned()
    {
        Should.Throw<ArgumentException>(() => PersistGc.Removal([new PersistGc.Orphan("/../identity", 0, 0)]));
    }
}

using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>persist: the allowlist of paths kept across reboots, as a plain list or as {size, paths}.</summary>
public sealed class SpecPersistTests
{
    [Fact]
    public void Absent_persist_keeps_nothing_on_a_1G_disk()
    {
        var persist = SpecAssert.Valid("").Persist;

        persist.SizeMiB.ShouldBe(1024);
        persist.Paths.ShouldBeEmpty();
    }

    [Fact]
    public void Plain_list_takes_paths_and_mappings_with_the_default_size()
    {
        var persist = SpecAssert.Valid("""
            persist:
              - /etc/ssh
              - ~/.ssh/known_hosts
              - {path: ~/src, mode: "0750", owner: dev}
            """).Persist;

        persist.SizeMiB.ShouldBe(1024);
        persist.Paths.ShouldBe(
        [
            new PersistEntry("/etc/ssh"),
            new PersistEntry("~/.ssh/known_hosts"),
            new PersistEntry("~/src", Convert.ToInt32("750", 8), "dev"),
        ]);
    }

    [Fact]
    public void Mapping_form_sets_the_size_and_the_paths()
    {
        var persist = SpecAssert.Valid("""
            persist:
              size: 4G
              paths:
                - /var/lib/postgresql
                - path: ~/.cache
                  owner: "1000:1000"
            """).Persist;

        persist.SizeMiB.ShouldBe(4096);
        persist.Paths.ShouldBe([new PersistEntry("/var/lib/postgresql"), new PersistEntry("~/.cache", null, "1000:1000")]);
    }

    [Theory]
    [InlineData("4G", 4096)]
    [InlineData("512M", 512)]
    [InlineData("64M", 64)]
    [InlineData("1T", 1048576)]
    [InlineData("1.5G", 1536)]
    [InlineData("2048", 2048)]
    public void Size_accepts_sizes_and_integer_MiB(string written, long expectedMiB) =>
        SpecAssert.Valid($"persist:\n  size: {written}\n").Persist.SizeMiB.ShouldBe(expectedMiB);

    [Fact]
    public void Mapping_without_paths_keeps_nothing()
    {
        var persist = SpecAssert.Valid("persist: {size: 2G}").Persist;

        persist.SizeMiB.ShouldBe(2048);
        persist.Paths.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/etc/ssh/", "/etc/ssh")]
    [InlineData("/etc//./ssh", "/etc/ssh")]
    [InlineData("~/src/", "~/src")]
    [InlineData("~//.ssh/./known_hosts", "~/.ssh/known_hosts")]
    [InlineData("/var/lib/my data", "/var/lib/my data")]
    [InlineData("/home/dev/.bashrc", "/home/dev/.bashrc")]
    [InlineData("/tmpfiles", "/tmpfiles")]
    [InlineData("~/tmp", "~/tmp")]
    public void Paths_are_normalised(string written, string expected) =>
        SpecAssert.Valid($"persist: ['{written}']").Persist.Paths.Single().Path.ShouldBe(expected);

    [Theory]
    [InlineData("\"0700\"", "700")]
    [InlineData("700", "700")]
    [InlineData("0750", "750")]
    [InlineData("1777", "1777")]
    public void Mode_is_octal_whether_quoted_or_not(string written, string octal) =>
        SpecAssert.Valid($"persist:\n  - {{path: /srv, mode: {written}}}\n").Persist.Paths.Single().Mode
            .ShouldBe(Convert.ToInt32(octal, 8));

    [Theory]
    [InlineData("dev")]
    [InlineData("root")]
    [InlineData("postgres")]
    [InlineData("0")]
    [InlineData("1000")]
    [InlineData("1000:100")]
    public void Owner_is_a_user_name_or_numeric_ids(string owner) =>
        SpecAssert.Valid($"persist:\n  - {{path: /srv, owner: '{owner}'}}\n").Persist.Paths.Single().Owner.ShouldBe(owner);

    [Fact]
    public void Entry_knows_whether_it_is_in_home_and_where_it_is_in_the_machine()
    {
        var home = new PersistEntry("~/.ssh/known_hosts");
        var etc = new PersistEntry("/etc/ssh");

        home.InHome.ShouldBeTrue();
        home.GuestPath("/home/dev").ShouldBe("/home/dev/.ssh/known_hosts");
        etc.InHome.ShouldBeFalse();
        etc.GuestPath("/home/dev").ShouldBe("/etc/ssh");
    }

    [Fact]
    public void Empty_forms_keep_nothing()
    {
        SpecAssert.Valid("persist: []").Persist.Paths.ShouldBeEmpty();
        SpecAssert.Valid("persist: {}").Persist.SizeMiB.ShouldBe(1024);
        SpecAssert.Valid("persist:\n").Persist.Paths.ShouldBeEmpty();
    }
}

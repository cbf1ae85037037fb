using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>persist entries: the optional type (file or dir) of a path the image may not have.</summary>
public sealed class SpecPersistTypeTests
{
    [Theory]
    [InlineData("file", PersistEntryType.File)]
    [InlineData("dir", PersistEntryType.Directory)]
    public void Type_is_file_or_dir(string written, PersistEntryType expected) =>
        SpecAssert.Valid($"persist:\n  - {{path: ~/.ssh/known_hosts, type: {written}}}\n").Persist.Paths.Single()
            .ShouldBe(new PersistEntry("~/.ssh/known_hosts", Type: expected));

    [Fact]
    public void Without_a_type_an_entry_is_whatever_the_image_has()
    {
        SpecAssert.Valid("persist: [/etc/ssh]").Persist.Paths.Single().Type.ShouldBe(PersistEntryType.Auto);
        SpecAssert.Valid("persist:\n  - {path: /srv, mode: \"0750\"}\n").Persist.Paths.Single().Type.ShouldBe(PersistEntryType.Auto);
    }

    [Fact]
    public void Type_goes_with_mode_and_owner()
    {
        SpecAssert.Valid("""
            persist:
              - path: ~/.netrc
                type: file
                mode: "0600"
                owner: dev
            """).Persist.Paths.Single().ShouldBe(new PersistEntry("~/.netrc", Convert.ToInt32("600", 8), "dev", PersistEntryType.File));
    }

    [Theory]
    [InlineData("persist:\n  - {path: /srv, type: folder}", "2:24: persist[0].type: expected one of file, dir, got 'folder'")]
    [InlineData("persist:\n  - {path: /srv, type: fiel}", "2:24: persist[0].type: expected one of file, dir, got 'fiel' (did you mean 'file'?)")]
    [InlineData("persist:\n  - {path: /srv, type: [dir]}", "2:24: persist[0].type: expected one of file, dir, got a list")]
    public void A_wrong_type_is_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);

    [Fact]
    public void A_misspelt_type_key_gets_a_suggestion() =>
        SpecAssert.Errors("persist:\n  - {path: /srv, tpye: dir}").ShouldContain("2:18: unknown key 'tpye' in persist[0] (did you mean 'type'?)");
}

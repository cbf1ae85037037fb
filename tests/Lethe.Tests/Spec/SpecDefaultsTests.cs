using Lethe.Spec;

namespace Lethe.Tests.Spec;

public sealed class SpecDefaultsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n")]
    [InlineData("~\n")]
    [InlineData("---\n")]
    public void Empty_spec_means_all_defaults(string yaml)
    {
        var spec = SpecAssert.Valid(yaml);

        spec.Name.ShouldBe("lethe");
        spec.Image.ShouldBe(new ImageSpec());
        spec.Image.Suite.ShouldBe("bookworm");
        spec.Image.Packages.ShouldBeEmpty();
        spec.Image.Files.ShouldBeEmpty();
        spec.User.ShouldBe(new UserSpec("dev", 1000, false));
        spec.Resources.ShouldBe(new ResourceSpec(1024, 2));
        spec.Accel.ShouldBe(AccelMode.Auto);
        spec.Init.ShouldBe(InitSystem.Fast);
        spec.Env.ShouldBeEmpty();
        spec.Persist.SizeMiB.ShouldBe(1024);
        spec.Persist.Paths.ShouldBeEmpty();
        spec.Identity.ShouldBe(IdentityMode.Keep);
        spec.Workspace.ShouldBeNull();
        spec.Scratch.ShouldBeNull();
    }

    [Fact]
    public void Keys_without_values_keep_their_defaults()
    {
        var spec = SpecAssert.Valid("name:\nimage:\nresources:\n  memory: ~\nenv:\n");

        spec.Name.ShouldBe("lethe");
        spec.Resources.MemoryMiB.ShouldBe(1024);
    }

    [Fact]
    public void Embedded_default_loads_and_matches_an_empty_spec()
    {
        var spec = SpecLoader.Default();
        var empty = SpecAssert.Valid("");

        spec.SourcePath.ShouldBeNull();
        spec.Name.ShouldBe(empty.Name);
        spec.Image.ShouldBe(empty.Image);
        spec.User.ShouldBe(empty.User);
        spec.Resources.ShouldBe(empty.Resources);
        spec.Accel.ShouldBe(empty.Accel);
        spec.Init.ShouldBe(empty.Init);
        spec.Env.ShouldBeEmpty();
        spec.Persist.SizeMiB.ShouldBe(empty.Persist.SizeMiB);
        // The default adds a workstation allowlist: the things a developer expects a workstation to keep.
        spec.Persist.Paths.Select(p => (p.Path, p.Type)).ShouldBe(
            [("~/src", PersistEntryType.Auto), ("~/.ssh/known_hosts", PersistEntryType.File), ("~/.bash_history", PersistEntryType.File)]);
        spec.Identity.ShouldBe(empty.Identity);
        spec.Workspace.ShouldBeNull();
        spec.Scratch.ShouldBeNull();
    }

    [Fact]
    public void Starter_loads_clean_with_default_values()
    {
        var starter = SpecLoader.StarterText();
        var spec = SpecAssert.Valid(starter);

        starter.ShouldContain("# ");
        spec.Name.ShouldBe("lethe");
        spec.Image.Suite.ShouldBe("bookworm");
        spec.User.ShouldBe(new UserSpec());
        spec.Resources.ShouldBe(new ResourceSpec());
        spec.Accel.ShouldBe(AccelMode.Auto);
        spec.Init.ShouldBe(InitSystem.Fast);
    }

    [Theory]
    [InlineData("name:")]
    [InlineData("suite:")]
    [InlineData("packages:")]
    [InlineData("files:")]
    [InlineData("uid:")]
    [InlineData("sudo:")]
    [InlineData("memory:")]
    [InlineData("cpus:")]
    [InlineData("accel:")]
    [InlineData("init:")]
    [InlineData("env:")]
    [InlineData("persist:")]
    [InlineData("paths:")]
    [InlineData("identity:")]
    [InlineData("workspace:")]
    [InlineData("mode: rw")]
    [InlineData("at:")]
    [InlineData("scratch:")]
    [InlineData("overlay:")]
    public void Starter_shows_every_field(string key) => SpecLoader.StarterText().ShouldContain(key);

    [Fact]
    public void Parse_without_path_labels_errors_as_default_and_has_no_source()
    {
        var result = SpecLoader.Parse("cpus: 2\n", null);

        result.Errors.Single().File.ShouldBe("<default>");
        SpecLoader.Parse("", null).Spec!.SourcePath.ShouldBeNull();
    }

    [Fact]
    public void Error_text_is_file_line_column_message() =>
        new SpecError("a/lethe.yaml", 3, 7, "boom").ToString().ShouldBe("a/lethe.yaml:3:7: boom");
}

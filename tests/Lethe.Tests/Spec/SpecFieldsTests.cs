using Lethe.Spec;

namespace Lethe.Tests.Spec;

public sealed class SpecFieldsTests
{
    [Fact]
    public void Every_field_is_parsed()
    {
        var spec = SpecAssert.Valid("""
            name: my-proj2
            image:
              suite: trixie
              packages: [git, curl, "python3=3.11.2-1+b1", g++]
            user:
              name: alice_b
              uid: 1500
              sudo: true
            resources:
              memory: 4096
              cpus: 8
            accel: kvm
            init: systemd
            warm: true
            env:
              EDITOR: vim
              _DEPTH: 3
            """);

        spec.Name.ShouldBe("my-proj2");
        spec.Image.Suite.ShouldBe("trixie");
        spec.Image.Packages.ShouldBe(["git", "curl", "python3=3.11.2-1+b1", "g++"]);
        spec.User.ShouldBe(new UserSpec("alice_b", 1500, true));
        spec.Resources.ShouldBe(new ResourceSpec(4096, 8));
        spec.Accel.ShouldBe(AccelMode.Kvm);
        spec.Init.ShouldBe(InitSystem.Systemd);
        spec.Warm.ShouldBeTrue();
        spec.Env.ShouldBe(new Dictionary<string, string> { ["EDITOR"] = "vim", ["_DEPTH"] = "3" });
    }

    [Theory]
    [InlineData("2G", 2048)]
    [InlineData("2048M", 2048)]
    [InlineData("1.5G", 1536)]
    [InlineData("512MiB", 512)]
    [InlineData("1GiB", 1024)]
    [InlineData("4 GB", 4096)]
    [InlineData("262144K", 256)]
    [InlineData("\"768\"", 768)]
    [InlineData("64g", 65536)]
    public void Memory_accepts_sizes(string written, int expectedMiB) =>
        SpecAssert.Valid($"resources:\n  memory: {written}\n").Resources.MemoryMiB.ShouldBe(expectedMiB);

    [Fact]
    public void Env_values_keep_their_text_as_written()
    {
        var spec = SpecAssert.Valid("""
            env:
              VERSION: 1.10
              DEBUG: true
              QUOTED: "a b"
              EMPTY:
            """);

        spec.Env["VERSION"].ShouldBe("1.10");
        spec.Env["DEBUG"].ShouldBe("true");
        spec.Env["QUOTED"].ShouldBe("a b");
        spec.Env["EMPTY"].ShouldBe("");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    public void Sudo_reads_yaml_booleans(string written, bool expected) =>
        SpecAssert.Valid($"user:\n  sudo: {written}\n").User.Sudo.ShouldBe(expected);

    [Fact]
    public void Flow_style_mappings_work_too()
    {
        var spec = SpecAssert.Valid("{name: flow, resources: {cpus: 4}}");

        spec.Name.ShouldBe("flow");
        spec.Resources.Cpus.ShouldBe(4);
    }

    [Fact]
    public void Anchors_and_aliases_resolve()
    {
        var spec = SpecAssert.Valid("user:\n  uid: &id 2000\nresources:\n  cpus: 4\n  memory: *id\n");

        spec.User.Uid.ShouldBe(2000);
        spec.Resources.MemoryMiB.ShouldBe(2000);
    }

    [Fact]
    public void Warm_is_off_unless_asked_and_must_be_a_boolean()
    {
        SpecAssert.Valid("name: a\n").Warm.ShouldBeFalse();
        SpecAssert.Valid("name: a\nwarm: false\n").Warm.ShouldBeFalse();
        SpecAssert.Errors("name: a\nwarm: 3\n").ShouldHaveSingleItem().ShouldContain("warm");
    }
}

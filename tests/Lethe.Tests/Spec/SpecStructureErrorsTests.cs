namespace Lethe.Tests.Spec;

/// <summary>Unknown and duplicate keys, broken YAML, and reporting several problems at once.</summary>
public sealed class SpecStructureErrorsTests
{
    [Theory]
    [InlineData("resources:\n  memroy: 2G", "2:3: unknown key 'memroy' in resources (did you mean 'memory'?)")]
    [InlineData("resources:\n  mem: 2G", "2:3: unknown key 'mem' in resources (did you mean 'memory'?)")]
    [InlineData("nmae: x", "1:1: unknown key 'nmae' at top level (did you mean 'name'?)")]
    [InlineData("Accel: kvm", "1:1: unknown key 'Accel' at top level (did you mean 'accel'?)")]
    [InlineData("colour: red", "1:1: unknown key 'colour' at top level")]
    [InlineData("user:\n  shell: zsh", "2:3: unknown key 'shell' in user")]
    [InlineData("image:\n  files:\n    - {src: a, dest: /b}", "3:16: unknown key 'dest' in image.files[0] (did you mean 'dst'?)")]
    public void Unknown_key_is_reported_at_the_key_with_a_suggestion_when_close(string yaml, string expected) =>
        SpecAssert.Errors(yaml).ShouldContain(expected);

    [Fact]
    public void Duplicate_keys_are_reported_at_the_repeat()
    {
        SpecAssert.Errors("name: a\nresources:\n  cpus: 1\n  cpus: 2\nname: b\n").ShouldBe(
        [
            "4:3: duplicate key 'cpus' in resources (first on line 3)",
            "5:1: duplicate key 'name' at top level (first on line 1)",
        ]);
    }

    [Fact]
    public void Duplicate_keys_inside_lists_name_the_item()
    {
        SpecAssert.SingleError("env:\n  A: 1\n  A: 2\n", "3:3: duplicate key 'A' in env (first on line 2)");
        SpecAssert.Errors("image:\n  files:\n    - {src: a, dst: /b, dst: /c}\n")
            .ShouldContain("3:25: duplicate key 'dst' in image.files[0] (first on line 3)");
    }

    [Fact]
    public void Three_mistakes_give_three_errors_in_document_order()
    {
        SpecAssert.Errors("""
            name: Bad Name
            resources:
              memroy: 2G
              cpus: 0
            accel: fast
            """).ShouldBe(
        [
            "1:7: name: expected a name of lowercase letters, digits and '-' (at most 63, not starting with '-'), got 'Bad Name'",
            "3:3: unknown key 'memroy' in resources (did you mean 'memory'?)",
            "4:9: resources.cpus: 0 is out of range 1..64",
            "5:8: accel: expected one of auto, kvm, tcg, got 'fast'",
        ]);
    }

    [Fact]
    public void Errors_are_sorted_even_when_found_in_another_order() =>
        SpecAssert.Errors("accel: x\nname: a\nname: b\ninit: y\n").Select(error => error.Split(':')[0]).ShouldBe(["1", "3", "4"]);

    [Theory]
    [InlineData("resources: [1\n", "2:1: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'")]
    [InlineData("a: {b: 1}\n  c: 2", "2:3: invalid YAML: while parsing a block mapping, did not find expected key")]
    public void Yaml_syntax_error_is_one_positioned_error(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);

    [Fact]
    public void Unknown_alias_is_a_yaml_error_at_the_alias() =>
        SpecAssert.SingleError("name: a\nuser:\n  name: *nowhere\n", "3:9: invalid YAML: the anchor 'nowhere' is not defined");

    [Fact]
    public void Alias_to_an_anchor_inside_a_dropped_duplicate_is_not_defined() =>
        SpecAssert.Errors("name: a\nname: &n b\nuser:\n  name: *n\n").ShouldBe(
        [
            "2:1: duplicate key 'name' at top level (first on line 1)",
            "4:9: invalid YAML: the anchor 'n' is not defined",
        ]);

    [Theory]
    [InlineData(": {\ns")]
    [InlineData("a: \"x\n")]
    [InlineData("a: 'x")]
    [InlineData("a: b: c")]
    [InlineData("a: [b, {c: d]")]
    public void Malformed_yaml_never_throws(string yaml) =>
        SpecAssert.Errors(yaml).ShouldHaveSingleItem().ShouldContain("invalid YAML:");

    [Theory]
    [InlineData("- a\n- b\n", "1:1: top level: expected a mapping with keys name, image, user, resources, accel, init, warm, env, persist, identity, workspace, scratch, network, ssh, gpg, usb, share, update, got a list")]
    [InlineData("just text\n", "1:1: top level: expected a mapping with keys name, image, user, resources, accel, init, warm, env, persist, identity, workspace, scratch, network, ssh, gpg, usb, share, update, got 'just text'")]
    public void Top_level_must_be_a_mapping(string yaml, string expected) => SpecAssert.SingleError(yaml, expected);

    [Fact]
    public void Non_scalar_key_is_an_error() =>
        SpecAssert.SingleError("? [a]\n: 1\n", "1:3: keys at top level must be plain names, got a list");

    [Fact]
    public void A_second_document_is_an_error() =>
        SpecAssert.SingleError("name: a\n---\nname: b\n", "3:1: a spec is a single YAML document; remove this second one");
}

namespace Lethe.Tests.Spec;

/// <summary>persist: paths that cannot be kept, wrong forms, repeats and nesting, at the offending value.</summary>
public sealed class SpecPersistErrorsTests
{
    [Theory]
    [InlineData("etc/ssh", "1:11: persist[0]: expected an absolute path like /etc/ssh or a home path like ~/.ssh, got 'etc/ssh'")]
    [InlineData("./x", "1:11: persist[0]: expected an absolute path like /etc/ssh or a home path like ~/.ssh, got './x'")]
    [InlineData("~dev/x", "1:11: persist[0]: expected an absolute path like /etc/ssh or a home path like ~/.ssh, got '~dev/x'")]
    [InlineData("''", "1:11: persist[0]: expected an absolute path like /etc/ssh or a home path like ~/.ssh, got ''")]
    [InlineData("'~'", "1:11: persist[0]: '~' is the whole home folder; list the paths in it to keep")]
    [InlineData("~", "1:11: persist[0]: '~' is the whole home folder; list the paths in it to keep")]
    [InlineData("~/", "1:11: persist[0]: '~/' is the whole home folder; list the paths in it to keep")]
    [InlineData("/", "1:11: persist[0]: '/' is the whole machine; list the paths to keep")]
    [InlineData("/.", "1:11: persist[0]: '/.' is the whole machine; list the paths to keep")]
    [InlineData("/etc/../root", "1:11: persist[0]: '/etc/../root' must not contain '..'")]
    [InlineData("~/../root", "1:11: persist[0]: '~/../root' must not contain '..'")]
    [InlineData("/proc/x", "1:11: persist[0]: '/proc/x' is under /proc, which is rebuilt at every boot and cannot be kept")]
    [InlineData("/sys", "1:11: persist[0]: '/sys' is under /sys, which is rebuilt at every boot and cannot be kept")]
    [InlineData("/dev/sda", "1:11: persist[0]: '/dev/sda' is under /dev, which is rebuilt at every boot and cannot be kept")]
    [InlineData("/run/", "1:11: persist[0]: '/run/' is under /run, which is rebuilt at every boot and cannot be kept")]
    [InlineData("//tmp/cache", "1:11: persist[0]: '//tmp/cache' is under /tmp, which is rebuilt at every boot and cannot be kept")]
    [InlineData("/persist/x", "1:11: persist[0]: '/persist/x' is under /persist, which is lethe's own (the persist disk is mounted there)")]
    [InlineData("/persist", "1:11: persist[0]: '/persist' is under /persist, which is lethe's own (the persist disk is mounted there)")]
    [InlineData("[/etc]", "1:11: persist[0]: expected a path like ~/.ssh or a mapping like {path: ~/src, mode: \"0750\", owner: dev}, got a list")]
    public void Bad_paths_are_reported_at_the_path(string written, string expected) =>
        SpecAssert.SingleError($"persist: [{written}]", expected);

    [Theory]
    [InlineData("persist: /etc/ssh", "1:10: persist: expected a list of paths to keep, or a mapping with keys size, paths, got '/etc/ssh'")]
    [InlineData("persist:\n  paths: /etc", "2:10: persist.paths: expected a list of paths to keep, got '/etc'")]
    [InlineData("persist:\n  size: lots", "2:9: persist.size: expected a size like \"4G\" (64M..1T) or an integer number of MiB, got 'lots'")]
    [InlineData("persist:\n  size: [1G]", "2:9: persist.size: expected a size like \"4G\" (64M..1T) or an integer number of MiB, got a list")]
    [InlineData("persist:\n  size: 32M", "2:9: persist.size: 32M is out of range 64M..1T")]
    [InlineData("persist:\n  size: 63", "2:9: persist.size: 63M is out of range 64M..1T")]
    [InlineData("persist:\n  size: 2T", "2:9: persist.size: 2T is out of range 64M..1T")]
    [InlineData("persist:\n  size: 0", "2:9: persist.size: 0M is out of range 64M..1T")]
    [InlineData("persist:\n  size: 100K", "2:9: persist.size: expected a size like \"4G\" (64M..1T) or an integer number of MiB, got '100K'")]
    [InlineData("persist:\n  - {path: /srv, mode: rwx}", "2:24: persist[0].mode: expected an octal mode like \"0644\" or \"755\", got 'rwx'")]
    [InlineData("persist:\n  - {path: /srv, mode: 999}", "2:24: persist[0].mode: expected an octal mode like \"0644\" or \"755\", got '999'")]
    [InlineData("persist:\n  - {path: /srv, owner: Dev}", "2:25: persist[0].owner: expected an owner like 'dev', 'root', '1000' or '1000:1000', got 'Dev'")]
    [InlineData("persist:\n  - {path: /srv, owner: 'dev:dev'}", "2:25: persist[0].owner: expected an owner like 'dev', 'root', '1000' or '1000:1000', got 'dev:dev'")]
    [InlineData("persist:\n  - {path: /srv, owner: -1}", "2:25: persist[0].owner: expected an owner like 'dev', 'root', '1000' or '1000:1000', got '-1'")]
    [InlineData("persist:\n  - {mode: \"0700\"}", "2:5: persist[0]: missing required key 'path'")]
    [InlineData("persist:\n  - {path: }", "2:5: persist[0]: missing required key 'path'")]
    [InlineData("persist:\n  -", "2:4: persist[0]: expected a path like ~/.ssh or a mapping like {path: ~/src, mode: \"0750\", owner: dev}, got nothing")]
    [InlineData("persist:\n  - {path: /tmp}", "2:12: persist[0].path: '/tmp' is under /tmp, which is rebuilt at every boot and cannot be kept")]
    public void Wrong_forms_are_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);

    [Theory]
    [InlineData("persist:\n  szie: 4G", "2:3: unknown key 'szie' in persist (did you mean 'size'?)")]
    [InlineData("persist:\n  path: [/etc]", "2:3: unknown key 'path' in persist (did you mean 'paths'?)")]
    [InlineData("persist:\n  - {paht: /etc}", "2:6: unknown key 'paht' in persist[0] (did you mean 'path'?)")]
    [InlineData("persist:\n  paths:\n    - {path: /etc, ownr: dev}", "3:20: unknown key 'ownr' in persist.paths[0] (did you mean 'owner'?)")]
    [InlineData("persit: [/etc]", "1:1: unknown key 'persit' at top level (did you mean 'persist'?)")]
    public void Unknown_keys_get_a_suggestion(string yaml, string expected) =>
        SpecAssert.Errors(yaml).ShouldContain(expected);

    [Fact]
    public void Repeats_after_normalisation_are_reported_at_the_second()
    {
        SpecAssert.Errors("""
            persist:
              - /etc/ssh
              - ~/src
              - /etc/ssh/
              - {path: "~//src", mode: "0700"}
            """).ShouldBe(
        [
            "4:5: persist[2]: '/etc/ssh' is already listed at persist[0]",
            "5:5: persist[3]: '~/src' is already listed at persist[1]",
        ]);
    }

    [Fact]
    public void Nested_paths_are_reported_whichever_comes_first()
    {
        SpecAssert.Errors("""
            persist:
              paths:
                - ~/src
                - ~/src/lethe
                - /var/lib/docker/volumes
                - /var/lib
            """).ShouldBe(
        [
            "4:7: persist.paths[1]: '~/src/lethe' is already kept by persist.paths[0] ('~/src')",
            "6:7: persist.paths[3]: '/var/lib' contains '/var/lib/docker/volumes', already kept by persist.paths[2]; list only one of them",
        ]);
    }

    [Fact]
    public void Siblings_sharing_a_prefix_are_not_nested() =>
        SpecAssert.Valid("persist: [~/src, ~/src2, /etc/ssh, /etc/ssh_config]").Persist.Paths.Count.ShouldBe(4);

    [Fact]
    public void Several_mistakes_give_several_errors_in_document_order()
    {
        SpecAssert.Errors("""
            persist:
              size: 10M
              paths:
                - /proc
                - relative
                - {path: /srv, mode: abc}
            """).ShouldBe(
        [
            "2:9: persist.size: 10M is out of range 64M..1T",
            "4:7: persist.paths[0]: '/proc' is under /proc, which is rebuilt at every boot and cannot be kept",
            "5:7: persist.paths[1]: expected an absolute path like /etc/ssh or a home path like ~/.ssh, got 'relative'",
            "6:26: persist.paths[2].mode: expected an octal mode like \"0644\" or \"755\", got 'abc'",
        ]);
    }
}

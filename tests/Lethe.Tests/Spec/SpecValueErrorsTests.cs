namespace Lethe.Tests.Spec;

/// <summary>Values of the wrong form or out of range: the message names what was expected, at the value's position.</summary>
public sealed class SpecValueErrorsTests
{
    [Theory]
    [InlineData("name: My_Proj", "1:7: name: expected a name of lowercase letters, digits and '-' (at most 63, not starting with '-'), got 'My_Proj'")]
    [InlineData("name: -x", "1:7: name: expected a name of lowercase letters, digits and '-' (at most 63, not starting with '-'), got '-x'")]
    [InlineData("name: [a]", "1:7: name: expected a name of lowercase letters, digits and '-' (at most 63, not starting with '-'), got a list")]
    [InlineData("accel: fast", "1:8: accel: expected one of auto, kvm, tcg, got 'fast'")]
    [InlineData("accel: kmv", "1:8: accel: expected one of auto, kvm, tcg, got 'kmv' (did you mean 'kvm'?)")]
    [InlineData("init: {a: 1}", "1:7: init: expected one of fast, systemd, got a mapping")]
    [InlineData("image:\n  suite: sid", "2:10: image.suite: expected one of bookworm, trixie, got 'sid'")]
    [InlineData("image:\n  suite: bookwrom", "2:10: image.suite: expected one of bookworm, trixie, got 'bookwrom' (did you mean 'bookworm'?)")]
    [InlineData("image: debian", "1:8: image: expected a mapping with keys suite, packages, files, got 'debian'")]
    [InlineData("image:\n  packages: git", "2:13: image.packages: expected a list of Debian package names, got 'git'")]
    [InlineData("image:\n  packages: [git, Curl]", "2:19: image.packages[1]: expected a Debian package name like 'git' or 'git=1:2.39.5-0+deb12u1', got 'Curl'")]
    [InlineData("image:\n  packages: [git, curl, git=1:2.39]", "2:25: image.packages[2]: package 'git' is already listed at image.packages[0]")]
    [InlineData("user:\n  name: Dev", "2:9: user.name: expected a user name like 'dev' (lowercase letters, digits, '_', '-'; at most 32), got 'Dev'")]
    [InlineData("user:\n  name: root", "2:9: user.name: must not be 'root'; use 'sudo: true' for root access")]
    [InlineData("user:\n  uid: 999", "2:8: user.uid: 999 is out of range 1000..60000")]
    [InlineData("user:\n  uid: 1e3", "2:8: user.uid: expected an integer 1000..60000, got '1e3'")]
    [InlineData("user:\n  sudo: yes", "2:9: user.sudo: expected true or false, got 'yes'")]
    [InlineData("resources:\n  memory: lots", "2:11: resources.memory: expected an integer number of MiB (256..65536) or a size like \"2G\", got 'lots'")]
    [InlineData("resources:\n  memory: 1.3G", "2:11: resources.memory: expected an integer number of MiB (256..65536) or a size like \"2G\", got '1.3G'")]
    [InlineData("resources:\n  memory: 128M", "2:11: resources.memory: 128 MiB is out of range 256..65536 MiB")]
    [InlineData("resources:\n  memory: 128", "2:11: resources.memory: 128 MiB is out of range 256..65536 MiB")]
    [InlineData("resources:\n  memory: 1T", "2:11: resources.memory: 1048576 MiB is out of range 256..65536 MiB")]
    [InlineData("resources:\n  cpus: 0", "2:9: resources.cpus: 0 is out of range 1..64")]
    [InlineData("resources:\n  cpus: 99999999999999999999", "2:9: resources.cpus: expected an integer 1..64, got '99999999999999999999'")]
    [InlineData("resources:\n  cpus: [1]", "2:9: resources.cpus: expected an integer 1..64, got a list")]
    [InlineData("env: [A]", "1:6: env: expected a mapping of NAME: value, got a list")]
    [InlineData("env:\n  1BAD: x", "2:3: env.1BAD: variable names are letters, digits and '_', not starting with a digit")]
    [InlineData("env:\n  GOOD: {a: b}", "2:9: env.GOOD: expected a text, number or boolean value, got a mapping")]
    public void Wrong_value_is_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);
}

using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>ssh, gpg, usb and share: how a machine reaches the host's keys and configuration.</summary>
public sealed class SpecCredentialTests
{
    [Fact]
    public void Absent_sections_forward_nothing_and_use_a_machine_key()
    {
        var spec = SpecAssert.Valid("");
        spec.Ssh.UsesMachineKey.ShouldBeTrue();
        spec.Ssh.ForwardAgent.ShouldBeFalse();
        spec.Ssh.SendEnv.ShouldBeEmpty();
        spec.Gpg.ForwardAgent.ShouldBeFalse();
        spec.Usb.ShouldBeEmpty();
        spec.Share.GitConfig.ShouldBeFalse();
    }

    [Fact]
    public void The_ssh_section_is_read()
    {
        var ssh = SpecAssert.Valid("ssh:\n  authorized_keys: [~/.ssh/id_ed25519.pub]\n  forward_agent: true\n  send_env: [GITHUB_TOKEN, ANTHROPIC_API_KEY]").Ssh;
        ssh.AuthorizedKeys.ShouldBe(["~/.ssh/id_ed25519.pub"]);
        ssh.UsesMachineKey.ShouldBeFalse();
        ssh.ForwardAgent.ShouldBeTrue();
        ssh.SendEnv.ShouldBe(["GITHUB_TOKEN", "ANTHROPIC_API_KEY"]);
    }

    [Fact]
    public void Authorized_keys_may_be_the_agents()
    {
        var ssh = SpecAssert.Valid("ssh: {authorized_keys: agent}").Ssh;
        ssh.AgentKeys.ShouldBeTrue();
        ssh.UsesMachineKey.ShouldBeFalse();
    }

    [Fact]
    public void The_other_sections_are_read()
    {
        var spec = SpecAssert.Valid("gpg: {forward_agent: true}\nusb:\n  - {vendor: \"1050\", product: \"0407\"}\nshare: {git_config: true}");
        spec.Gpg.ForwardAgent.ShouldBeTrue();
        spec.Usb.ShouldBe([new UsbDeviceSpec("1050", "0407")]);
        spec.Share.GitConfig.ShouldBeTrue();
    }

    [Fact]
    public void Usb_ids_are_lower_cased() =>
        SpecAssert.Valid("usb: [{vendor: \"1D6B\", product: \"00aB\"}]").Usb.ShouldBe([new UsbDeviceSpec("1d6b", "00ab")]);

    [Theory]
    [InlineData("ssh: {authorized_keys: [~/.ssh/id_ed25519]}", "1:25: ssh.authorized_keys[0]: expected a public key file ending in .pub, got '~/.ssh/id_ed25519'")]
    [InlineData("ssh: {send_env: [1TOKEN]}", "1:18: ssh.send_env[0]: expected a variable name (letters, digits and '_', not starting with a digit), got '1TOKEN'")]
    [InlineData("ssh: {send_env: [A, A]}", "1:21: ssh.send_env[1]: 'A' is listed twice")]
    [InlineData("ssh: {forward_agnt: true}", "1:7: unknown key 'forward_agnt' in ssh (did you mean 'forward_agent'?)")]
    [InlineData("gpg: {forward_agent: yes}", "1:22: gpg.forward_agent: expected true or false, got 'yes'")]
    [InlineData("usb: [{vendor: \"10500\", product: \"0407\"}]", "1:16: usb[0].vendor: expected 4 hex digits in quotes, like \"1050\", got '10500'")]
    [InlineData("usb: [{vendor: \"1050\"}]", "1:7: usb[0]: missing required key 'product'")]
    [InlineData("usb: [{vendor: \"1050\", product: \"0407\"}, {vendor: \"1050\", product: \"0407\"}]", "1:42: usb[1]: 1050:0407 is listed twice")]
    [InlineData("share: {git_config: 1}", "1:21: share.git_config: expected true or false, got '1'")]
    public void Wrong_values_are_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);

    [Theory]
    [InlineData("# ssh:")]
    [InlineData("# gpg:")]
    [InlineData("# usb:")]
    [InlineData("# share:")]
    public void The_starters_examples_load_once_uncommented(string header)
    {
        var starter = SpecLoader.StarterText();
        var start = starter.IndexOf(header, StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        var example = string.Join('\n', starter[start..].Split('\n').TakeWhile(line => line.StartsWith('#')).Select(line => line[2..]));
        var spec = SpecAssert.Valid(example);
        (spec.Ssh.AuthorizedKeys.Count + spec.Ssh.SendEnv.Count + spec.Usb.Count).ShouldBe(header switch { "# ssh:" => 2, "# usb:" => 1, _ => 0 });
    }
}

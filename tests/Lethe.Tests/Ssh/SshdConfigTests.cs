using Lethe.Protocol.Boot;

namespace Lethe.Tests.Ssh;

/// <summary>lethe's sshd drop-in: keys only, no root, loopback only, the user alone, the spec's AcceptEnv names.</summary>
public sealed class SshdConfigTests
{
    [Fact]
    public void The_drop_in_allows_only_key_logins_of_the_user_on_the_loopback()
    {
        var lines = SshdConfig.DropIn("dev", []).Split('\n');
        lines.ShouldContain("ListenAddress 127.0.0.1");
        lines.ShouldContain("Port 22");
        lines.ShouldContain("HostKey /etc/ssh/ssh_host_ed25519_key");
        lines.ShouldContain("AuthenticationMethods publickey");
        lines.ShouldContain("PasswordAuthentication no");
        lines.ShouldContain("KbdInteractiveAuthentication no");
        lines.ShouldContain("PermitRootLogin no");
        lines.ShouldContain("PermitEmptyPasswords no");
        lines.ShouldContain("AllowUsers dev");
        lines.ShouldContain("AuthorizedKeysFile /etc/ssh/lethe_authorized_keys");
        lines.ShouldContain("StreamLocalBindUnlink yes");
        lines.ShouldNotContain(l => l.StartsWith("AcceptEnv", StringComparison.Ordinal));
    }

    [Fact]
    public void The_spec_send_env_names_are_accepted_by_name() =>
        SshdConfig.DropIn("dev", ["GITHUB_TOKEN", "ANTHROPIC_API_KEY"]).Split('\n').ShouldContain("AcceptEnv GITHUB_TOKEN ANTHROPIC_API_KEY");

    [Theory]
    [InlineData("A\nPermitRootLogin yes")]
    [InlineData("A B")]
    [InlineData("*")]
    public void A_name_that_could_add_a_directive_or_a_pattern_is_refused(string name) =>
        Should.Throw<ArgumentException>(() => SshdConfig.DropIn("dev", [name]));

    [Fact]
    public void A_user_name_that_could_add_a_directive_is_refused() =>
        Should.Throw<ArgumentException>(() => SshdConfig.DropIn("dev\nPermitRootLogin yes", []));

    [Fact]
    public void The_authorized_keys_file_holds_the_keys_without_comments_or_options()
    {
        SshdConfig.AuthorizedKeys([SshKeyFormatTests.Ed25519 + " me@host", SshKeyFormatTests.Ecdsa])
            .ShouldBe($"{SshKeyFormatTests.Ed25519}\n{SshKeyFormatTests.Ecdsa}\n");
        Should.Throw<ArgumentException>(() => SshdConfig.AuthorizedKeys(["command=\"sh\" " + SshKeyFormatTests.Ed25519]));
    }
}

public sealed class SshdConfigNetworkTests
{
    [Fact]
    public void An_exported_machine_listens_on_its_network_with_keys_only()
    {
        var dropIn = SshdConfig.DropIn("dev", [], listenOnNetwork: true);
        dropIn.ShouldNotContain("ListenAddress");
        dropIn.ShouldContain("PasswordAuthentication no\n");
        dropIn.ShouldContain("AuthenticationMethods publickey\n");
        SshdConfig.DropIn("dev", []).ShouldContain("ListenAddress 127.0.0.1\n");
    }
}

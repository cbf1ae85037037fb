using Lethe.Machine.Ssh;

namespace Lethe.Tests.Ssh;

/// <summary>The options lethe gives ssh, as arguments and as ssh-config blocks.</summary>
public sealed class SshCommandLineTests
{
    private static readonly SshTarget Target = new("box", "dev", "/state/machines/box/known_hosts", "'/usr/bin/dotnet' '/x/lethe.dll' 'proxy' 'box'",
        "/state/machines/box/id_ed25519", ForwardAgent: false, SendEnv: [], GpgAgentSocket: null, Uid: 1000);

    [Fact]
    public void The_host_key_is_checked_strictly_against_the_machine_s_own_known_hosts_under_its_alias()
    {
        var options = SshCommandLine.Options(Target);
        options.ShouldContain(("HostKeyAlias", "box.lethe"));
        options.ShouldContain(("UserKnownHostsFile", "/state/machines/box/known_hosts"));
        options.ShouldContain(("GlobalKnownHostsFile", "/dev/null"));
        options.ShouldContain(("StrictHostKeyChecking", "yes"));
        options.ShouldContain(("UpdateHostKeys", "no"));
        options.ShouldContain(("ProxyCommand", Target.ProxyCommand));
        options.ShouldContain(("User", "dev"));
        options.ShouldContain(("PasswordAuthentication", "no"));
    }

    [Fact]
    public void A_machine_key_is_the_only_identity_offered()
    {
        var options = SshCommandLine.Options(Target);
        options.ShouldContain(("IdentityFile", "/state/machines/box/id_ed25519"));
        options.ShouldContain(("IdentitiesOnly", "yes"));
        SshCommandLine.Options(Target with { IdentityFile = null }).ShouldNotContain(o => o.Key == "IdentityFile" || o.Key == "IdentitiesOnly");
    }

    [Fact]
    public void Agent_send_env_and_gpg_forwarding_become_their_options()
    {
        var options = SshCommandLine.Options(Target with
        {
            ForwardAgent = true,
            SendEnv = ["GITHUB_TOKEN", "API_KEY"],
            GpgAgentSocket = "/run/user/0/gnupg/S.gpg-agent.extra",
        });
        options.ShouldContain(("ForwardAgent", "yes"));
        options.Where(o => o.Key == "SendEnv").Select(o => o.Value).ShouldBe(["GITHUB_TOKEN", "API_KEY"]);
        options.ShouldContain(("RemoteForward", "/run/user/1000/gnupg/S.gpg-agent /run/user/0/gnupg/S.gpg-agent.extra"));
        SshCommandLine.Options(Target).ShouldContain(("ForwardAgent", "no"));
    }

    [Fact]
    public void The_arguments_are_options_then_a_double_dash_the_alias_and_the_command()
    {
        var arguments = SshCommandLine.Arguments(Target, ["whoami"], terminal: false);
        arguments[0].ShouldBe("-o");
        arguments.ShouldContain("StrictHostKeyChecking=yes");
        arguments.TakeLast(3).ShouldBe(["--", "box.lethe", "whoami"]);
        arguments.ShouldNotContain("-t");
        SshCommandLine.Arguments(Target, ["top"], terminal: true).ShouldContain("-t");
        SshCommandLine.Arguments(Target, [], terminal: true).ShouldNotContain("-t");
    }

    [Fact]
    public void A_config_block_names_the_alias_and_indents_each_option()
    {
        var block = SshCommandLine.Block(Target);
        block.ShouldStartWith("Host box.lethe\n");
        block.ShouldContain("\n  StrictHostKeyChecking yes\n");
        block.ShouldContain("\n  ProxyCommand '/usr/bin/dotnet' '/x/lethe.dll' 'proxy' 'box'\n");
        block.ShouldContain("\n  UserKnownHostsFile /state/machines/box/known_hosts\n");
        SshCommandLine.Config([Target, Target with { Name = "two" }]).ShouldContain("Host two.lethe\n");
    }

    [Theory]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a b/c", "\"/a b/c\"")]
    [InlineData("/a%h/c", "/a%%h/c")]
    public void Paths_become_one_config_word_with_percent_doubled(string path, string word) =>
        SshCommandLine.ConfigWord(path).ShouldBe(word);

    [Theory]
    [InlineData("/a\"b")]
    [InlineData("/a\nHost *")]
    public void A_path_that_could_break_out_of_its_word_is_refused(string path) =>
        Should.Throw<ArgumentException>(() => SshCommandLine.ConfigWord(path));

    [Fact]
    public void The_proxy_command_quotes_every_word_for_the_shell() =>
        SshCommandLine.ShellCommand(["/opt/my dir/dotnet", "it's", "100%"]).ShouldBe("'/opt/my dir/dotnet' 'it'\\''s' '100%%'");
}

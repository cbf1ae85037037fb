using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Agents;

/// <summary>SSH_AUTH_SOCK of a forwarded agent belongs to its session alone.</summary>
public sealed class SessionEnvironmentTests
{
    private static readonly GuestSeed Seed = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
        Environment = new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = "/home/dev/planted.sock" },
    };

    private static readonly Dictionary<string, string> Forwarded = new() { ["SSH_AUTH_SOCK"] = "/run/lethe-agents/s1-ssh-agent-00/agent.sock" };

    [Fact]
    public void The_sessions_socket_wins_over_the_specs_env_and_other_sessions_get_only_the_spec()
    {
        UserCommand.StartInfo(new ExecRequest { Argv = ["ssh-add", "-L"] }, Seed, Forwarded).Environment["SSH_AUTH_SOCK"]
            .ShouldBe("/run/lethe-agents/s1-ssh-agent-00/agent.sock");
        UserCommand.StartInfo(new ExecRequest { Argv = ["ssh-add", "-L"] }, Seed).Environment["SSH_AUTH_SOCK"].ShouldBe("/home/dev/planted.sock");
    }

    [Fact]
    public void A_root_command_never_gets_the_sessions_agent()
    {
        var root = UserCommand.StartInfo(new ExecRequest { Argv = ["/usr/bin/true"], AsRoot = true }, Seed, Forwarded);
        root.Environment.ContainsKey("SSH_AUTH_SOCK").ShouldBeFalse();
    }
}

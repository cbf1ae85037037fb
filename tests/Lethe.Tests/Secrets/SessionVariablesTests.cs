using Lethe.Core;
using Lethe.Machine.Secrets;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Secrets;

public sealed class SessionVariablesTests
{
    private const string Marker = "s3cr3t-marker-value";

    private static readonly GuestSeed Seed = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
        Environment = new Dictionary<string, string> { ["EDITOR"] = "vim", ["TOKEN"] = "from-the-spec" },
    };

    private static string? Host(string name) => name switch
    {
        "GITHUB_TOKEN" => Marker,
        "OTHER" => "two",
        "EMPTY" => "",
        _ => null,
    };

    [Fact]
    public void The_spec_names_and_the_option_names_are_read_from_the_given_environment_once_each()
    {
        var values = SessionVariables.Collect(["GITHUB_TOKEN"], ["OTHER", "GITHUB_TOKEN", "EMPTY"], Host);
        values.ShouldNotBeNull();
        values.ShouldBe(new Dictionary<string, string> { ["GITHUB_TOKEN"] = Marker, ["OTHER"] = "two", ["EMPTY"] = "" });
    }

    [Fact]
    public void Nothing_asked_for_is_no_environment_at_all()
    {
        SessionVariables.Collect([], [], Host).ShouldBeNull();
    }

    [Fact]
    public void An_unset_name_is_a_usage_error_that_names_it()
    {
        var error = Should.Throw<UsageException>(() => SessionVariables.Collect(["GITHUB_TOKEN"], ["ANTHROPIC_API_KEY"], Host));
        error.ExitCode.ShouldBe(ExitCodes.Usage);
        error.Message.ShouldBe("send_env: ANTHROPIC_API_KEY is not set in lethe's environment");
        Should.Throw<UsageException>(() => SessionVariables.Collect(["A1", "B2"], [], Host)).Message.ShouldBe("send_env: A1, B2 are not set in lethe's environment");
    }

    [Theory]
    [InlineData("1ABC")]
    [InlineData("A=B")]
    [InlineData("")]
    [InlineData("A B")]
    [InlineData("A\u001b[2J")]
    public void A_name_that_is_not_a_variable_name_is_a_usage_error(string name)
    {
        var error = Should.Throw<UsageException>(() => SessionVariables.Collect([], [name], _ => "x"));
        error.Message.ShouldStartWith("--send-env: '");
        error.Message.ShouldNotContain("\u001b");
    }

    [Fact]
    public void No_error_ever_shows_a_value()
    {
        var huge = new string('v', SessionVariables.MaxTotalBytes) + Marker;
        var error = Should.Throw<UsageException>(() => SessionVariables.Collect(["BIG"], [], _ => huge));
        error.Message.ShouldNotContain(Marker);
        error.Message.ShouldContain("over the limit");
    }

    [Fact]
    public void A_request_shows_the_names_of_its_variables_but_never_their_values()
    {
        var request = new ExecRequest { Argv = ["env"], Environment = new Dictionary<string, string> { ["GITHUB_TOKEN"] = Marker } };
        request.ToString().ShouldNotContain(Marker);
        request.ToString().ShouldContain("GITHUB_TOKEN=(hidden)");
        ControlMessage.Run(request).ToString().ShouldNotContain(Marker);
    }

    [Fact]
    public void The_values_travel_in_the_exec_message_and_come_back_whole()
    {
        var request = new ExecRequest { Argv = ["env"], Environment = new Dictionary<string, string> { ["GITHUB_TOKEN"] = Marker } };
        var parsed = ControlMessages.Parse(ProtocolJson.Serialize(ControlMessage.Run(request)));
        parsed.Exec!.Environment.ShouldBe(request.Environment);
    }

    [Fact]
    public void The_session_gets_them_after_the_specs_env_and_they_never_reach_its_argv()
    {
        var request = new ExecRequest { Argv = ["env"], Tty = true, Environment = new Dictionary<string, string> { ["TOKEN"] = Marker, ["GITHUB_TOKEN"] = Marker } };
        var info = UserCommand.StartInfo(request, Seed);
        info.Environment["TOKEN"].ShouldBe(Marker);
        info.Environment["GITHUB_TOKEN"].ShouldBe(Marker);
        info.Environment["EDITOR"].ShouldBe("vim");
        info.ArgumentList.ShouldAllBe(a => !a.Contains(Marker));
    }

    [Fact]
    public void A_root_command_never_gets_them()
    {
        var request = new ExecRequest { Argv = ["/usr/bin/env"], AsRoot = true, Environment = new Dictionary<string, string> { ["GITHUB_TOKEN"] = Marker } };
        var info = UserCommand.StartInfo(request, Seed);
        info.Environment.Keys.ShouldNotContain("GITHUB_TOKEN");
        info.Environment.Values.ShouldNotContain(Marker);
    }

    [Fact]
    public void The_guest_skips_a_name_no_host_of_lethe_would_send()
    {
        var request = new ExecRequest { Argv = ["env"], Environment = new Dictionary<string, string> { ["A=B"] = "x", ["OK"] = "y", ["NUL"] = "a\0b" } };
        var info = UserCommand.StartInfo(request, Seed);
        info.Environment.Keys.ShouldNotContain("A=B");
        info.Environment.Keys.ShouldNotContain("NUL");
        info.Environment["OK"].ShouldBe("y");
    }
}

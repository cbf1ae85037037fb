using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

public sealed class UserCommandTests
{
    private static readonly GuestSeed Seed = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
        Environment = new Dictionary<string, string> { ["EDITOR"] = "vim" },
    };

    [Fact]
    public void Commands_run_as_the_spec_user_never_as_root()
    {
        var info = UserCommand.StartInfo(new ExecRequest { Argv = ["id"] }, Seed);
        info.FileName.ShouldBe("/usr/bin/setpriv");
        info.ArgumentList.ShouldContain("--reuid=1000");
        info.ArgumentList.ShouldContain("--regid=1000");
        info.ArgumentList.ShouldContain("--init-groups");
        info.ArgumentList.SkipWhile(a => a != "--").Skip(1).ShouldBe(["id"]);
    }

    [Fact]
    public void The_environment_is_the_users_plus_the_specs_and_nothing_inherited()
    {
        // Set in this process, so that inheriting the caller's environment would show it.
        Environment.SetEnvironmentVariable("LETHE_SECRET_PROBE", "inherited");
        try
        {
            var info = UserCommand.StartInfo(new ExecRequest { Argv = ["env"] }, Seed);
            info.Environment["HOME"].ShouldBe("/home/dev");
            info.Environment["USER"].ShouldBe("dev");
            info.Environment["EDITOR"].ShouldBe("vim");
            info.Environment.Keys.ShouldNotContain("LETHE_SECRET_PROBE");
        }
        finally
        {
            Environment.SetEnvironmentVariable("LETHE_SECRET_PROBE", null);
        }
    }

    [Fact]
    public void A_root_command_gets_a_fixed_environment_and_nothing_from_the_spec()
    {
        var planted = Seed with
        {
            Environment = new Dictionary<string, string> { ["PATH"] = "/home/dev/bin", ["LD_PRELOAD"] = "/home/dev/evil.so", ["HOME"] = "/home/dev" },
        };
        var info = UserCommand.StartInfo(new ExecRequest { Argv = ["/usr/bin/find", "/persist/data"], AsRoot = true }, planted);
        info.Environment.ToDictionary(e => e.Key, e => e.Value).ShouldBe(new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin",
            ["LANG"] = "C.UTF-8",
            ["HOME"] = "/root",
            ["USER"] = "root",
            ["LOGNAME"] = "root",
        }, ignoreOrder: true);
        info.ArgumentList.ShouldBe(["--", "/usr/bin/find", "/persist/data"]);
        info.WorkingDirectory.ShouldBe("/");
    }

    [Theory]
    [InlineData("find")]
    [InlineData("bin/sh")]
    public void A_root_command_must_name_its_program_by_absolute_path(string program)
    {
        Should.Throw<ArgumentException>(() => UserCommand.StartInfo(new ExecRequest { Argv = [program], AsRoot = true }, Seed));
    }

    [Fact]
    public void The_user_command_still_gets_the_specs_environment_and_may_use_a_bare_name()
    {
        var info = UserCommand.StartInfo(new ExecRequest { Argv = ["env"] }, Seed with { Environment = new Dictionary<string, string> { ["PATH"] = "/home/dev/bin" } });
        info.Environment["PATH"].ShouldBe("/home/dev/bin");
    }

    [Fact]
    public void Stdout_and_stderr_are_separate_pipes_without_a_terminal()
    {
        var info = UserCommand.StartInfo(new ExecRequest { Argv = ["true"] }, Seed);
        info.RedirectStandardOutput.ShouldBeTrue();
        info.RedirectStandardError.ShouldBeTrue();
    }

    [Fact]
    public void A_terminal_request_runs_under_script_with_the_callers_size_and_a_login_shell_by_default()
    {
        var info = UserCommand.StartInfo(new ExecRequest { Argv = [], Tty = true, Rows = 40, Columns = 120 }, Seed);
        info.ArgumentList.ShouldContain("/usr/bin/script");
        var command = info.ArgumentList[info.ArgumentList.IndexOf("--command") + 1];
        command.ShouldContain("stty rows 40 cols 120");
        command.ShouldEndWith("exec /bin/bash -l");
    }

    [Theory]
    [InlineData(new[] { "echo", "a b" }, "echo 'a b'")]
    [InlineData(new[] { "sh", "-c", "echo 'x'" }, "sh -c 'echo '\\''x'\\'''")]
    [InlineData(new[] { "ls", "/tmp" }, "ls /tmp")]
    public void Shell_quoting_keeps_every_argument_whole(string[] argv, string expected)
    {
        UserCommand.ShellQuote(argv).ShouldBe(expected);
    }

    [Fact]
    public void Module_parameters_come_from_the_kernel_command_line()
    {
        const string cmdline = "console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12 virtio-mmio.device=512@0xfeb00c00:11 quiet";
        ModuleParameters.From(cmdline, "virtio_mmio").ShouldBe("device=512@0xfeb00e00:12 device=512@0xfeb00c00:11");
        ModuleParameters.From(cmdline, "erofs").ShouldBe("");
    }
}

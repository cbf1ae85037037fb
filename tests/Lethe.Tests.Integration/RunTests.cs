namespace Lethe.Tests.Integration;

/// <summary>lethe run against real VMs (TCG here, KVM where the host has it).</summary>
[Collection(MachineCollection.Name)]
public sealed class RunTests(TestImage image)
{
    private const int VmTimeout = 300_000;

    /// <summary>One boot for what one command shows: the streams kept apart, stdin, the exit status, the user, the distribution and the env.</summary>
    [Fact(Timeout = VmTimeout)]
    public async Task The_command_runs_in_debian_as_the_spec_user_with_the_spec_env_gets_stdin_and_its_streams_and_status_stay_its_own()
    {
        var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c",
            "id -un; id -u; . /etc/os-release; echo $ID; echo $LETHE_TEST; hostname; pwd; tr a-z A-Z; echo done; echo out; echo err >&2; exit 7"],
            stdin: "hello\nworld\n");
        result.ExitCode.ShouldBe(7, result.ToString());
        result.Stdout.Split('\n').ShouldBe(["dev", "1000", "debian", "yes", "it-fast", "/work", "HELLO", "WORLD", "done", "out", ""], result.ToString());
        result.Stderr.ShouldContain("err\n");
        result.Stderr.Split('\n').ShouldNotContain("out");
    }

    [Fact(Timeout = VmTimeout)]
    public async Task Nothing_written_in_one_run_survives_into_the_next()
    {
        var write = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c",
            "sudo sh -c 'echo canary > /etc/lethe-canary' && echo canary > ~/canary && cat /etc/lethe-canary ~/canary"]);
        write.ExitCode.ShouldBe(0, write.ToString());
        write.Stdout.ShouldBe("canary\ncanary\n", write.ToString());

        var read = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c",
            "ls /etc/lethe-canary ~/canary 2>&1; findmnt -n -o FSTYPE /; findmnt -n -o FSTYPE /tmp"]);
        read.Stdout.ShouldContain("/etc/lethe-canary': No such file", Case.Sensitive, read.ToString());
        read.Stdout.ShouldContain("/home/dev/canary': No such file", Case.Sensitive, read.ToString());
        read.Stdout.ShouldContain("overlay\ntmpfs\n", Case.Sensitive, read.ToString());
    }

    [Fact(Timeout = VmTimeout)]
    public async Task The_default_spec_runs_when_the_project_has_no_lethe_yaml()
    {
        // A folder without lethe.yaml: the embedded default (a different image from the tests' one).
        var empty = Directory.CreateTempSubdirectory("lethe-noyaml-").FullName;
        try
        {
            var result = await LetheProcess.RunAsync(["run", "--", "cat", "/etc/os-release"], workingDirectory: empty, timeout: TimeSpan.FromMinutes(20));
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Stdout.ShouldContain("ID=debian");
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }
}

using System.IO.Pipes;
using Lethe.Core;

namespace Lethe.Tests.Core;

/// <summary>lethe's one process runner, against a tiny real helper program (a shell script written here).</summary>
public sealed class HostCommandTests : IDisposable
{
    private const string HelperScript = """
        #!/bin/sh
        # The process runner's test helper: each verb exercises one thing the runner promises.
        case "$1" in
          fail) echo "first line" >&2; echo "helper: $2 went wrong" >&2; echo out; exit "$2" ;;
          noisy) i=0; while [ "$i" -lt "$2" ]; do echo "stderr line $i" >&2; i=$((i+1)); done; echo "last stderr line" >&2 ;;
          hang) echo $$ > "$2"; exec sleep 120 ;;
          to-fd) echo "through fd $2" > "/dev/fd/$2" ;;
          echo) cat ;;
        esac
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-runner-").FullName;
    private readonly string _helper;

    public HostCommandTests()
    {
        _helper = Path.Combine(_folder, "helper.sh");
        File.WriteAllText(_helper, HelperScript);
        File.SetUnixFileMode(_helper, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private HostCommand Helper(params string[] arguments) => new HostCommand(_helper).WithArguments(arguments);

    [Fact(Timeout = 30_000)]
    public async Task A_failing_program_gives_its_status_and_its_stderr_tail()
    {
        var ct = TestContext.Current.CancellationToken;
        var result = await Helper("fail", "3").ExecuteAsync(ct);
        result.ExitCode.ShouldBe(3);
        result.Stdout.ShouldBe("out\n");
        result.Stderr.ShouldBe("first line\nhelper: 3 went wrong\n");

        var failure = await Should.ThrowAsync<ToolFailedException>(() => Helper("fail", "4").RunAsync(ct));
        failure.ToolExitCode.ShouldBe(4);
        failure.Message.ShouldBe("helper.sh failed with exit status 4: helper: 4 went wrong");
        failure.StderrTail.ShouldContain("first line");
        failure.ToString().ShouldContain("the tail of its stderr\nfirst line\nhelper: 4 went wrong", customMessage: "--debug prints the tail");
    }

    [Fact(Timeout = 30_000)]
    public async Task Only_the_tail_of_a_long_stderr_is_kept_and_every_line_reaches_the_callback()
    {
        var lines = 0;
        var result = await Helper("noisy", "2000").ExecuteAsync(TestContext.Current.CancellationToken, _ => Interlocked.Increment(ref lines));
        result.ExitCode.ShouldBe(0);
        result.Stderr.Length.ShouldBe(HostProcess.StderrTailChars);
        result.Stderr.ShouldEndWith("stderr line 1999\nlast stderr line\n");
        lines.ShouldBe(2001);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_timeout_kills_the_program()
    {
        var pidFile = Path.Combine(_folder, "pid");
        var error = await Should.ThrowAsync<LetheException>(() =>
            Helper("hang", pidFile).WithTimeout(TimeSpan.FromSeconds(1)).ExecuteAsync(TestContext.Current.CancellationToken));
        error.Message.ShouldBe("helper.sh did not finish within 1 s");
        await ShouldBeGoneAsync(int.Parse(File.ReadAllText(pidFile).Trim()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_kills_the_program()
    {
        var pidFile = Path.Combine(_folder, "pid");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = Helper("hang", pidFile).ExecuteAsync(cancel.Token);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
            await Task.Delay(20, TestContext.Current.CancellationToken);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Directory.Exists($"/proc/{pid}").ShouldBeTrue();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => run);
        await ShouldBeGoneAsync(pid);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_exact_environment_is_exactly_what_was_given()
    {
        System.Environment.GetEnvironmentVariable("PATH").ShouldNotBeNull("sanity: this process has variables to leak");
        var output = await new HostCommand("/usr/bin/env").WithExactEnvironment(new Dictionary<string, string> { ["ONLY"] = "this" })
            .RunAsync(TestContext.Current.CancellationToken);
        output.ShouldBe("ONLY=this\n");
        var inherited = await new HostCommand("/usr/bin/env").WithEnvironment("ADDED", "yes").RunAsync(TestContext.Current.CancellationToken);
        inherited.ShouldContain("ADDED=yes\n");
        inherited.ShouldContain("PATH=");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_started_program_streams_stdin_to_stdout_and_reports_its_exit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var process = await Helper("echo").StartAsync();
        await process.StandardInput.WriteAsync("hello\n"u8.ToArray(), ct);
        process.StandardInput.Close();
        (await new StreamReader(process.StandardOutput).ReadToEndAsync(ct)).ShouldBe("hello\n");
        (await process.WaitForExitAsync(ct)).ShouldBe(0);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_passed_handle_reaches_that_program_under_its_own_number_and_no_other()
    {
        var ct = TestContext.Current.CancellationToken;
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
        var fd = (int)pipe.ClientSafePipeHandle.DangerousGetHandle();
        await using (var writer = await Helper("to-fd", fd.ToString()).StartAsync([pipe.ClientSafePipeHandle]))
            (await writer.WaitForExitAsync(ct)).ShouldBe(0, writer.StderrTail);
        // Started after: the handle is close-on-exec again, so this child cannot write to it.
        await using (var other = await Helper("to-fd", fd.ToString()).StartAsync())
            (await other.WaitForExitAsync(ct)).ShouldNotBe(0);
        pipe.DisposeLocalCopyOfClientHandle();
        (await new StreamReader(pipe).ReadToEndAsync(ct)).ShouldBe($"through fd {fd}\n");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_program_is_a_host_error()
    {
        var error = await Should.ThrowAsync<HostException>(() => new HostCommand("/nonexistent/tool").RunAsync(TestContext.Current.CancellationToken));
        error.Message.ShouldStartWith("cannot run /nonexistent/tool");
    }

    private static async Task ShouldBeGoneAsync(int pid)
    {
        for (var i = 0; i < 100 && IsRunning(pid); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        IsRunning(pid).ShouldBeFalse($"pid {pid} still runs");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}

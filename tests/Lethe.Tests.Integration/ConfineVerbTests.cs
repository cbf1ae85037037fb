using System.Diagnostics;

namespace Lethe.Tests.Integration;

/// <summary>
/// lethe-init confine, the step QEMU starts through, run for real on small host programs: what it
/// refuses is what QEMU cannot do to the workspace share, whatever the guest asks of it.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class ConfineVerbTests(TestImage image) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-confine-").FullName;

    private static string LetheInit => Path.Combine(LetheProcess.RepositoryRoot, ".build", "guest", "lethe-init");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int Status, string Output)> ConfinedAsync(params string[] command)
    {
        image.FastSpec.ShouldNotBeNull("the fixture built lethe-init");
        var info = new ProcessStartInfo(LetheInit) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var a in (string[])["confine", "--", .. command])
            info.ArgumentList.Add(a);
        info.Environment.Clear();
        info.Environment["ONLY"] = "this";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    private string Mode(string name) => Convert.ToString((int)File.GetUnixFileMode(Path.Combine(_folder, name)), 8);

    [Fact(Timeout = 120_000)]
    public async Task Chmod_to_setuid_or_setgid_fails_and_an_ordinary_chmod_works()
    {
        File.WriteAllText(Path.Combine(_folder, "f"), "");
        File.SetUnixFileMode(Path.Combine(_folder, "f"), (UnixFileMode)0b111_101_101);
        foreach (var mode in new[] { "u+s", "g+s", "4755", "2755", "6755" })
        {
            var (status, output) = await ConfinedAsync("/bin/chmod", mode, "f");
            status.ShouldNotBe(0, $"chmod {mode}: {output}");
            output.ShouldContain("Operation not permitted");
            Mode("f").ShouldBe("755");
        }
        (await ConfinedAsync("/bin/chmod", "640", "f")).Status.ShouldBe(0);
        Mode("f").ShouldBe("640");
    }

    [Fact(Timeout = 120_000)]
    public async Task Creating_with_setuid_or_setgid_bits_or_a_device_node_fails_and_ordinary_creation_works()
    {
        const string script = """
            import errno, os
            def attempt(name, action):
                try:
                    action(); print(name, "made")
                except OSError as e:
                    print(name, errno.errorcode[e.errno])
            attempt("open-suid", lambda: os.close(os.open("open-suid", os.O_CREAT | os.O_WRONLY, 0o4755)))
            attempt("mkdir-sgid", lambda: os.mkdir("mkdir-sgid", 0o2775))
            attempt("char-dev", lambda: os.mknod("char-dev", 0o600 | 0o020000, os.makedev(1, 3)))
            attempt("block-dev", lambda: os.mknod("block-dev", 0o600 | 0o060000, os.makedev(7, 0)))
            attempt("fifo-suid", lambda: os.mknod("fifo-suid", 0o4600 | 0o010000))
            attempt("plain", lambda: os.close(os.open("plain", os.O_CREAT | os.O_WRONLY, 0o644)))
            attempt("dir", lambda: os.mkdir("dir", 0o755))
            attempt("fifo", lambda: os.mkfifo("fifo", 0o600))
            """;
        var (status, output) = await ConfinedAsync("/usr/bin/python3", "-c", script);
        status.ShouldBe(0, output);
        output.ShouldBe("open-suid EPERM\nmkdir-sgid EPERM\nchar-dev EPERM\nblock-dev EPERM\nfifo-suid EPERM\nplain made\ndir made\nfifo made\n");
        Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName).Order().ShouldBe(["dir", "fifo", "plain"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task Install_with_a_setuid_mode_leaves_no_setuid_file()
    {
        var (status, output) = await ConfinedAsync("/usr/bin/install", "-m", "4755", "/bin/true", "installed");
        status.ShouldNotBe(0, output);
        if (File.Exists(Path.Combine(_folder, "installed")))
            Mode("installed").ShouldNotStartWith("4");
    }

    [Fact(Timeout = 120_000)]
    public async Task Calls_whose_mode_a_filter_cannot_read_answer_enosys()
    {
        const string script = """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            for name, number in (("openat2", 437), ("fchmodat2", 452), ("io_uring_setup", 425)):
                result = libc.syscall(number, -100, b"x", 0, 0)
                print(name, result, os.strerror(ctypes.get_errno()))
            """;
        var (status, output) = await ConfinedAsync("/usr/bin/python3", "-c", script);
        status.ShouldBe(0, output);
        output.ShouldBe("openat2 -1 Function not implemented\nfchmodat2 -1 Function not implemented\nio_uring_setup -1 Function not implemented\n");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_program_gets_no_new_privileges_no_core_dumps_and_exactly_its_environment()
    {
        var (status, output) = await ConfinedAsync("/bin/sh", "-c", "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; ulimit -c; ulimit -H -c; /usr/bin/env");
        status.ShouldBe(0, output);
        output.ShouldBe("NoNewPrivs:\t1\nSeccomp:\t2\n0\n0\nONLY=this\nPWD=" + _folder + "\n");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_program_not_named_by_an_absolute_path_is_refused()
    {
        var (status, output) = await ConfinedAsync("chmod", "644", ".");
        status.ShouldBe(2);
        output.ShouldContain("usage: lethe-init confine -- /ABSOLUTE/PROGRAM");
    }
}

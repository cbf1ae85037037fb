using System.Diagnostics;
using System.Text;

namespace Lethe.Tests.Integration;

/// <summary>Runs the real ./lethe launcher as a user would, with stdout and stderr kept apart.</summary>
public sealed record LetheResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

public static class LetheProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Launcher => Path.Combine(RepositoryRoot, "lethe");

    /// <summary>
    /// Where commands run unless a test says otherwise: a folder others may read, so that lethe run shares
    /// it at /work wherever the repository was cloned (a clone in a private 0700 folder is not shared).
    /// </summary>
    public static string WorkFolder { get; } = CreateWorkFolder();

    private static string CreateWorkFolder()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-it-work-").FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        return folder;
    }

    /// <summary>Shared by the whole run (and by later local runs): one image build, reused.</summary>
    public static string LetheHome { get; } = Path.Combine(RepositoryRoot, ".build", "test-home");

    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Launcher)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? WorkFolder,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        info.Environment["LETHE_HOME"] = LetheHome;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        return info;
    }

    /// <summary>
    /// Runs lethe to the end. When <paramref name="cancellationToken"/> fires (by default the test's own, so a
    /// timed-out test) or <paramref name="timeout"/> passes, the whole process tree is killed: the launcher
    /// (which is dotnet once it execs), and with it QEMU, which dies with its parent (pdeathsig).
    /// </summary>
    public static Task<LetheResult> RunAsync(IEnumerable<string> arguments, string? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(arguments, TestContext.Current.CancellationToken, stdin, workingDirectory, timeout, environment);

    public static async Task<LetheResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, string? workingDirectory = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var argumentList = arguments.ToList();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestToken(cancellationToken));
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        using var process = Start(argumentList, workingDirectory, environment, cts.Token);
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            if (TestToken(cancellationToken).IsCancellationRequested)
                throw;
            throw new TimeoutException($"lethe {string.Join(' ', argumentList)} did not finish; stderr so far: {await stderr}");
        }
        return new LetheResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>lethe up NAME OPTIONS, which must succeed; when it does not, the machine's logs (lethe logs) go into the failure.</summary>
    public static async Task<LetheResult> UpAsync(string name, IEnumerable<string> options, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var up = await RunAsync(["up", name, .. options], timeout: timeout, environment: environment);
        if (up.ExitCode != 0)
        {
            var logs = await RunAsync(["logs", name], timeout: TimeSpan.FromMinutes(1), environment: environment);
            up.ExitCode.ShouldBe(0, $"{up}\n--- lethe logs {name}\n{logs.Stdout}{logs.Stderr}");
        }
        return up;
    }

    /// <summary>Starts lethe; the whole process tree is killed when <paramref name="cancellationToken"/> fires (by default the test's).</summary>
    public static Process Start(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var process = Process.Start(StartInfo(arguments, workingDirectory, environment))!;
        var registration = TestToken(cancellationToken).Register(() => KillTree(process));
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => registration.Dispose();
        return process;
    }

    private static CancellationToken TestToken(CancellationToken given) =>
        given.CanBeCanceled ? given : TestContext.Current.CancellationToken;

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "lethe.slnx")) && File.Exists(Path.Combine(dir.FullName, "lethe")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (lethe.slnx) above " + AppContext.BaseDirectory);
    }

    public static string Text(IEnumerable<string> lines) => new StringBuilder().AppendJoin('\n', lines).ToString();
}

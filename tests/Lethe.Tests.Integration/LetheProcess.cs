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

    public static async Task<LetheResult> RunAsync(IEnumerable<string> arguments, string? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(arguments, workingDirectory, environment))!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lethe {string.Join(' ', arguments)} did not finish; stderr so far: {await stderr}");
        }
        return new LetheResult(process.ExitCode, await stdout, await stderr);
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

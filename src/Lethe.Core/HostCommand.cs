using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Lethe.Core;

/// <summary>
/// An immutable description of a host program to run (a small CliWrap), and lethe's one way to start a
/// host process. Each With* returns a copy. Arguments are passed as a list, never through a shell.
/// </summary>
public sealed record HostCommand(string Program)
{
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    /// <summary>False: the program gets exactly <see cref="Environment"/>, nothing of lethe's own.</summary>
    public bool InheritsEnvironment { get; init; } = true;
    /// <summary>Streams the program shares with lethe instead of getting a pipe (a terminal, a log).</summary>
    public HostStreams InheritedStreams { get; init; } = HostStreams.None;
    public string? WorkingDirectory { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public HostCommand WithArguments(params IEnumerable<string> arguments) => this with { Arguments = [.. arguments] };
    public HostCommand AddArguments(params IEnumerable<string> arguments) => this with { Arguments = [.. Arguments, .. arguments] };
    public HostCommand WithEnvironment(string name, string value) =>
        this with { Environment = new Dictionary<string, string>(Environment) { [name] = value } };
    /// <summary>The program's whole environment: these variables and nothing inherited.</summary>
    public HostCommand WithExactEnvironment(IReadOnlyDictionary<string, string> environment) =>
        this with { Environment = new Dictionary<string, string>(environment), InheritsEnvironment = false };
    public HostCommand WithInheritedStreams(HostStreams streams) => this with { InheritedStreams = streams };
    public HostCommand WithWorkingDirectory(string directory) => this with { WorkingDirectory = directory };
    public HostCommand WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };

    public override string ToString() => string.Join(' ', [Program, .. Arguments]);

    private string Name => Path.GetFileName(Program);

    /// <summary>Runs to completion and returns stdout; a non-zero exit throws <see cref="ToolFailedException"/>.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken = default, Action<string>? onStderrLine = null)
    {
        var result = await ExecuteAsync(cancellationToken, onStderrLine).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new ToolFailedException(Name, result.ExitCode, result.Stderr);
        return result.Stdout;
    }

    /// <summary>Runs to completion (stdin closed) and returns status and output, whatever the status.
    /// The timeout or a cancellation kills the program and all it started.</summary>
    public async Task<HostCommandResult> ExecuteAsync(CancellationToken cancellationToken = default, Action<string>? onStderrLine = null)
    {
        await using var process = await (this with { InheritedStreams = InheritedStreams & ~HostStreams.Output })
            .StartAsync(onStderrLine: onStderrLine).ConfigureAwait(false);
        if ((InheritedStreams & HostStreams.Input) == 0)
            process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var stdout = new StreamReader(process.StandardOutput);
        try
        {
            var text = await stdout.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            var exitCode = await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return new HostCommandResult(exitCode, text, process.StderrTail);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            if (cancellationToken.IsCancellationRequested)
                throw;
            throw new LetheException($"{Name} did not finish within {Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Starts the program and returns at once: a long-running process (QEMU). <paramref name="passedHandles"/>
    /// are inherited by this child alone, under their own fd numbers. Children are forked on one thread
    /// that lives as long as lethe, so a parent-death signal they set follows lethe's life.
    /// </summary>
    public async Task<HostProcess> StartAsync(IReadOnlyList<SafeHandle>? passedHandles = null, Action<string>? onStderrLine = null)
    {
        var info = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = (InheritedStreams & HostStreams.Input) == 0,
            RedirectStandardOutput = (InheritedStreams & HostStreams.Output) == 0,
            RedirectStandardError = (InheritedStreams & HostStreams.Error) == 0,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
            info.ArgumentList.Add(argument);
        if (!InheritsEnvironment)
            info.Environment.Clear();
        foreach (var (name, value) in Environment)
            info.Environment[name] = value;
        if (WorkingDirectory is not null)
            info.WorkingDirectory = WorkingDirectory;
        try
        {
            return new HostProcess(await HostLaunchThread.StartAsync(info, passedHandles ?? []).ConfigureAwait(false), Name, onStderrLine);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostException($"cannot run {Program}: {e.Message}", e);
        }
    }
}

public sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr);

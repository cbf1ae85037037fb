using System.Diagnostics;
using System.Text;

namespace Lethe.Core;

/// <summary>
/// An immutable description of a host program to run (a small CliWrap). Each With* returns a copy.
/// Arguments are passed as a list, never through a shell.
/// </summary>
public sealed record HostCommand(string Program)
{
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public HostCommand WithArguments(params IEnumerable<string> arguments) => this with { Arguments = [.. arguments] };
    public HostCommand AddArguments(params IEnumerable<string> arguments) => this with { Arguments = [.. Arguments, .. arguments] };
    public HostCommand WithEnvironment(string name, string value) =>
        this with { Environment = new Dictionary<string, string>(Environment) { [name] = value } };
    public HostCommand WithWorkingDirectory(string directory) => this with { WorkingDirectory = directory };
    public HostCommand WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };

    public override string ToString() => string.Join(' ', [Program, .. Arguments]);

    /// <summary>Runs to completion and returns stdout; a non-zero exit throws <see cref="ToolFailedException"/>.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken = default, Action<string>? onStderrLine = null)
    {
        var result = await ExecuteAsync(cancellationToken, onStderrLine).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new ToolFailedException(Path.GetFileName(Program), result.ExitCode, result.Stderr);
        return result.Stdout;
    }

    /// <summary>Runs to completion and returns status and output, whatever the status.</summary>
    public async Task<HostCommandResult> ExecuteAsync(CancellationToken cancellationToken = default, Action<string>? onStderrLine = null)
    {
        var info = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment)
            info.Environment[name] = value;
        if (WorkingDirectory is not null)
            info.WorkingDirectory = WorkingDirectory;

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostException($"cannot run {Program}: {e.Message}", e);
        }
        process.StandardInput.Close();

        var stderr = new StringBuilder();
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lock (stderr)
                    stderr.AppendLine(line);
                onStderrLine?.Invoke(line);
            }
        }, cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
                throw;
            throw new LetheException($"{Path.GetFileName(Program)} did not finish within {Timeout.TotalSeconds:0} s");
        }
        var stdout = await stdoutTask.ConfigureAwait(false);
        await stderrTask.ConfigureAwait(false);
        return new HostCommandResult(process.ExitCode, stdout, Tail(stderr.ToString()));
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}

public sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr);

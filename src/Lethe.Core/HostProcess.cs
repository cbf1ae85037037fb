using System.Diagnostics;
using System.Text;

namespace Lethe.Core;

/// <summary>Which of a child's standard streams are the parent's own rather than pipes.</summary>
[Flags]
public enum HostStreams
{
    None = 0,
    Input = 1,
    Output = 2,
    Error = 4,
}

/// <summary>
/// A running host program started by <see cref="HostCommand.StartAsync"/>. Its piped stdin and stdout are
/// raw streams; its stderr is collected (the tail is kept for error messages and --debug). Disposing kills
/// it if it still runs.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    public const int StderrTailChars = 4000;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private bool _detached;

    internal HostProcess(Process process, string name, Action<string>? onStderrLine)
    {
        _process = process;
        Name = name;
        _stderrPump = process.StartInfo.RedirectStandardError
            ? Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(line);
                        if (_stderr.Length > 2 * StderrTailChars)
                            _stderr.Remove(0, _stderr.Length - StderrTailChars);
                    }
                    onStderrLine?.Invoke(line);
                }
            })
            : Task.CompletedTask;
    }

    /// <summary>The program's file name, for messages.</summary>
    public string Name { get; }
    public int Pid => _process.Id;
    public Stream StandardInput => _process.StandardInput.BaseStream;
    public Stream StandardOutput => _process.StandardOutput.BaseStream;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The last <see cref="StderrTailChars"/> characters of stderr so far.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderr)
                return _stderr.Length <= StderrTailChars ? _stderr.ToString() : _stderr.ToString(_stderr.Length - StderrTailChars, StderrTailChars);
        }
    }

    /// <summary>Completes when the program has exited and its stderr has been read to the end.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>True if the program exited within the timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the program and everything it started; does nothing once it has exited.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Lets the program outlive this handle (a daemon such as the supervisor): disposing no longer kills it.</summary>
    public void Detach() => _detached = true;

    public async ValueTask DisposeAsync()
    {
        if (_detached)
        {
            _process.Dispose();
            return;
        }
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Task.WhenAny(_stderrPump, Task.Delay(1000)).ConfigureAwait(false);
        _process.Dispose();
    }
}

using System.Runtime.InteropServices;
using Lethe.Core;
using Lethe.Machine.Run;

namespace Lethe.Cli.Host;

/// <summary>
/// Puts the user's terminal in raw mode for an interactive guest shell (keys, Ctrl-C included, go to
/// the guest's own terminal) and restores it afterwards, whatever happens. While it is raw, every
/// resize (SIGWINCH) posts the new size to <see cref="Resizes"/>, for the guest's terminal to follow.
/// </summary>
public sealed class Terminal : IDisposable
{
    private readonly string _saved;
    private readonly PosixSignalRegistration _resized;

    private Terminal(string saved)
    {
        _saved = saved;
        _resized = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
        {
            if (TrySize() is var (rows, columns))
                Resizes.Post(rows, columns);
        });
    }

    public TerminalResizes Resizes { get; } = new();

    public static Terminal EnterRaw()
    {
        var saved = Stty("-g").Trim();
        Stty("raw", "-echo");
        return new Terminal(saved);
    }

    public static (int Rows, int Columns) Size() => TrySize() ?? (24, 80);

    /// <summary>The terminal's size, or null when it cannot be read; never throws (it runs in a signal handler).</summary>
    private static (int Rows, int Columns)? TrySize()
    {
        try
        {
            var parts = Stty("size").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && int.TryParse(parts[0], out var rows) && int.TryParse(parts[1], out var cols) ? (rows, cols) : null;
        }
        catch (Exception e) when (e is HostException or System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _resized.Dispose();
        Stty(_saved);
    }

    /// <summary>stty acts on its stdin, so it must inherit the terminal rather than get a pipe.</summary>
    private static string Stty(params string[] arguments) =>
        new HostCommand("stty").WithArguments(arguments).WithInheritedStreams(HostStreams.Input)
            .ExecuteAsync().GetAwaiter().GetResult().Stdout;
}

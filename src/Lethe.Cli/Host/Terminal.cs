using Lethe.Core;

namespace Lethe.Cli.Host;

/// <summary>
/// Puts the user's terminal in raw mode for an interactive guest shell (keys, Ctrl-C included, go to
/// the guest's own terminal) and restores it afterwards, whatever happens.
/// </summary>
public sealed class Terminal : IDisposable
{
    private readonly string _saved;

    private Terminal(string saved) => _saved = saved;

    public static Terminal EnterRaw()
    {
        var saved = Stty("-g").Trim();
        Stty("raw", "-echo");
        return new Terminal(saved);
    }

    public static (int Rows, int Columns) Size()
    {
        var parts = Stty("size").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && int.TryParse(parts[0], out var rows) && int.TryParse(parts[1], out var cols) ? (rows, cols) : (24, 80);
    }

    public void Dispose() => Stty(_saved);

    /// <summary>stty acts on its stdin, so it must inherit the terminal rather than get a pipe.</summary>
    private static string Stty(params string[] arguments) =>
        new HostCommand("stty").WithArguments(arguments).WithInheritedStreams(HostStreams.Input)
            .ExecuteAsync().GetAwaiter().GetResult().Stdout;
}

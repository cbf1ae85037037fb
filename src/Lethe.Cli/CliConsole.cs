namespace Lethe.Cli;

/// <summary>
/// Where a command reads and writes. Injected so that tests can run commands in-process; the raw
/// streams carry a guest command's bytes untouched, the writers carry lethe's own lines.
/// </summary>
public sealed record CliConsole(
    Stream Stdin,
    Stream Stdout,
    Stream Stderr,
    TextWriter Out,
    TextWriter Error,
    string CurrentDirectory,
    bool StdinIsTerminal,
    bool StdoutIsTerminal)
{
    public static CliConsole FromProcess()
    {
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        return new CliConsole(
            Console.OpenStandardInput(),
            stdout,
            stderr,
            new StreamWriter(stdout) { AutoFlush = true },
            new StreamWriter(stderr) { AutoFlush = true },
            Environment.CurrentDirectory,
            !Console.IsInputRedirected,
            !Console.IsOutputRedirected);
    }
}

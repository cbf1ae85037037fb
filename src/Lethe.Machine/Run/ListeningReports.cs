using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// The host's end of forward: auto. Takes the guest's listening messages (hostile input), keeps only
/// well-formed ones (<see cref="ListeningPorts.FromMessage"/>), and calls <paramref name="changed"/> when the
/// set differs from the last one. Nothing the guest sends here can end the machine or disturb a session:
/// a malformed report is ignored (the first few are logged), and a failing callback is logged.
/// </summary>
public sealed class ListeningReports(Action<IReadOnlyList<int>> changed, TextWriter? log = null)
{
    private const int MaxLoggedIgnores = 5;
    private readonly Lock _lock = new();
    private IReadOnlyList<int> _current = [];
    private int _ignored;

    /// <summary>The last accepted set of listening ports, in order.</summary>
    public IReadOnlyList<int> Current
    {
        get
        {
            lock (_lock)
                return _current;
        }
    }

    /// <summary>How many reports were ignored as malformed.</summary>
    public int Ignored => Volatile.Read(ref _ignored);

    /// <summary>Null when the boot has no network or the guest does not report its listeners.</summary>
    public static ListeningReports? For(BootNetwork? network, TextWriter? log = null) =>
        network is { ReportListening: true, ListeningChanged: { } callback } ? new ListeningReports(callback, log) : null;

    public void Report(ControlMessage message)
    {
        if (ListeningPorts.FromMessage(message) is not { } ports)
        {
            if (Interlocked.Increment(ref _ignored) <= MaxLoggedIgnores)
                log?.WriteLine("lethe: ignored a malformed report of the guest's listening ports");
            return;
        }
        lock (_lock)
        {
            if (ports.SequenceEqual(_current))
                return;
            _current = ports;
        }
        try
        {
            changed(ports);
        }
        catch (Exception e)
        {
            log?.WriteLine($"lethe: handling the guest's listening ports failed: {e.Message}");
        }
    }
}

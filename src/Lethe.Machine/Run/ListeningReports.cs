using System.Diagnostics;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// The host's end of forward: auto. Takes the guest's listening messages (hostile input), keeps only
/// well-formed ones (<see cref="ListeningPorts.FromMessage"/>), and calls <c>changed</c> when the set
/// differs from the last one passed on. Nothing the guest sends here can end the machine or disturb a
/// session: a malformed report is ignored (the first few are logged), a failing callback is logged, and a
/// guest that changes its set faster than <see cref="DefaultMinInterval"/> (an honest one polls each second)
/// has its changes coalesced: the callback runs at most that often and always ends on the newest set.
/// </summary>
public sealed class ListeningReports(Action<IReadOnlyList<int>> changed, TextWriter? log = null, TimeSpan? minInterval = null)
{
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromMilliseconds(500);
    private const int MaxLoggedIgnores = 5;
    private readonly TimeSpan _minInterval = minInterval ?? DefaultMinInterval;
    private readonly Lock _lock = new();
    private readonly Lock _delivering = new();
    private IReadOnlyList<int> _newest = [];
    private IReadOnlyList<int> _delivered = [];
    private long? _lastDelivery;
    private bool _flushScheduled;
    private int _ignored;

    /// <summary>The set last passed to the callback, in order.</summary>
    public IReadOnlyList<int> Current
    {
        get
        {
            lock (_lock)
                return _delivered;
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
        TimeSpan wait;
        lock (_lock)
        {
            if (ports.SequenceEqual(_newest))
                return;
            _newest = ports;
            if (_flushScheduled)
                return;
            wait = _lastDelivery is { } last ? _minInterval - Stopwatch.GetElapsedTime(last) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
                _flushScheduled = true;
        }
        if (wait > TimeSpan.Zero)
            _ = Task.Delay(wait).ContinueWith(_ => Flush(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        else
            Deliver();
    }

    private void Flush()
    {
        lock (_lock)
            _flushScheduled = false;
        Deliver();
    }

    private void Deliver()
    {
        // One callback at a time, in order: the reader's and a coalesced flush's never overlap.
        lock (_delivering)
        {
            IReadOnlyList<int> ports;
            lock (_lock)
            {
                if (_newest.SequenceEqual(_delivered))
                    return;
                ports = _delivered = _newest;
                _lastDelivery = Stopwatch.GetTimestamp();
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
}

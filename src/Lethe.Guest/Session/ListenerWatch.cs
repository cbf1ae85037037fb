using Lethe.Protocol;

namespace Lethe.Guest.Session;

/// <summary>
/// forward: auto: polls the kernel's TCP tables once a second and tells the host the set of listening
/// ports whenever it changes (an empty set is said only after a non-empty one).
/// </summary>
internal static class ListenerWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(ControlChannel channel, CancellationToken stop)
    {
        var (low, high) = ListeningPorts.EphemeralRange(Read("/proc/sys/net/ipv4/ip_local_port_range"));
        IReadOnlyList<int> last = [];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var ports = ListeningPorts.Report(
                    ListeningPorts.InTable(Read("/proc/net/tcp"), ipv6: false).Concat(ListeningPorts.InTable(Read("/proc/net/tcp6"), ipv6: true)), low, high);
                if (!ports.SequenceEqual(last))
                {
                    await channel.SendAsync(ControlMessage.Listening(ports), stop).ConfigureAwait(false);
                    last = ports;
                }
                await Task.Delay(Interval, stop).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The session is over or the host has gone.
        }
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}

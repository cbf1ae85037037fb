using Lethe.Machine.Network.Log;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// Composition for one machine's run: its <see cref="PolicyEngine"/> over the real host (resolver with the
/// LETHE_NET_HOSTS override, the host's addresses now, the system clock) writing its decisions to a log file
/// through a background writer. Dispose when the machine stops: what is queued is written, the file closed.
/// </summary>
public sealed class MachinePolicy : IAsyncDisposable
{
    private readonly DecisionLogFile _file;
    private readonly BackgroundDecisionSink _sink;

    private MachinePolicy(NetworkSpec spec, string logPath)
    {
        _file = DecisionLogFile.Open(logPath);
        _sink = new BackgroundDecisionSink(_file);
        Engine = PolicyEngine.Create(spec, PolicyHost.FromEnvironment(_sink));
    }

    public PolicyEngine Engine { get; }

    /// <summary>The policy of a machine whose decisions go to <paramref name="logPath"/>; null for <c>mode: none</c>.
    /// The log's folder must be private (a machine folder, a run folder).</summary>
    public static MachinePolicy? Open(NetworkSpec spec, string logPath) =>
        spec.Mode == NetworkMode.None ? null : new MachinePolicy(spec, logPath);

    /// <summary>A workstation's: its log is <c>net.log</c> in its machine folder, which lethe net log reads.</summary>
    public static MachinePolicy? ForWorkstation(NetworkSpec spec, MachineFolder folder) => Open(spec, DecisionLogFile.PathFor(folder));

    public async ValueTask DisposeAsync()
    {
        await _sink.DisposeAsync().ConfigureAwait(false);
        _file.Dispose();
    }
}

using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>Records when each boot phase ended, in guest uptime, for the host's boot report.</summary>
internal sealed class Timeline
{
    private readonly List<BootPhase> _phases = [];

    public void Mark(string phase) => _phases.Add(new BootPhase(phase, Libc.BootTimeMs()));

    public IReadOnlyList<BootPhase> Phases => _phases;
}

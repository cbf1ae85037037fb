using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>Records when each boot phase ended, in guest uptime, for the host's boot report.</summary>
internal sealed class Timeline
{
    private readonly List<BootPhase> _phases = [];

    public void Mark(string phase) => _phases.Add(new BootPhase(phase, Libc.BootTimeMs()));

    public IReadOnlyList<BootPhase> Phases => _phases;

    /// <summary>Hands the phases so far to the systemd agent, which reports the whole boot.</summary>
    public void Save(string path) =>
        File.WriteAllLines(path, _phases.Select(p => $"{p.Name} {p.AtMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    public static Timeline Load(string path)
    {
        var timeline = new Timeline();
        if (File.Exists(path))
            foreach (var line in File.ReadAllLines(path))
                if (line.Split(' ') is [var name, var ms] && long.TryParse(ms, System.Globalization.CultureInfo.InvariantCulture, out var at))
                    timeline._phases.Add(new BootPhase(name, at));
        return timeline;
    }
}

using System.Globalization;
using System.Text;

namespace Lethe.Machine.Generations;

/// <summary>The two systemd user units of lethe autoupdate: a oneshot service running lethe update, and its timer.</summary>
public sealed record AutoUpdateUnitFiles(string ServiceName, string ServiceText, string TimerName, string TimerText);

/// <summary>
/// Pure: the units that keep a machine current. The timer fires every <c>update.every</c> (and once a few minutes after
/// login, catching up on a missed run); the service runs <c>lethe update --spec SPEC NAME</c> with the environment
/// that names lethe's folders, so it updates the same machine the user started.
/// </summary>
public static class AutoUpdateUnits
{
    public static string BaseName(string machine) => $"lethe-update-{machine}";

    /// <param name="program">The program and leading arguments that start lethe (its launcher).</param>
    /// <param name="environment">The variables that choose lethe's folders (LETHE_HOME, XDG_*), as they are now.</param>
    public static AutoUpdateUnitFiles For(string machine, IReadOnlyList<string> program, string? specPath, TimeSpan every,
        IReadOnlyDictionary<string, string> environment)
    {
        var name = BaseName(machine);
        var command = new List<string>(program) { "update" };
        if (specPath is not null)
            command.AddRange(["--spec", specPath]);
        command.Add(machine);
        var service = new StringBuilder()
            .Append("[Unit]\n")
            .Append($"Description=lethe update {machine}: stage the newest generation of the source it follows\n")
            .Append("\n[Service]\nType=oneshot\n");
        foreach (var (key, value) in environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            service.Append($"Environment={QuoteValue($"{key}={value}")}\n");
        service.Append($"ExecStart={string.Join(' ', command.Select(QuoteWord))}\n");
        var seconds = ((long)every.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var timer = new StringBuilder()
            .Append("[Unit]\n")
            .Append($"Description=lethe update {machine} every {seconds} s\n")
            .Append("\n[Timer]\n")
            .Append("OnStartupSec=5min\n")
            .Append($"OnUnitActiveSec={seconds}s\n")
            .Append("RandomizedDelaySec=60\n")
            .Append("\n[Install]\nWantedBy=timers.target\n");
        return new AutoUpdateUnitFiles(name + ".service", service.ToString(), name + ".timer", timer.ToString());
    }

    /// <summary>A word of ExecStart: in double quotes, with \, ", the specifier % and the variable $ escaped.</summary>
    public static string QuoteWord(string word) => QuoteValue(word).Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>A value of Environment= (systemd expands no variable there, only specifiers).</summary>
    public static string QuoteValue(string text) =>
        text.Any(char.IsControl)
            ? throw new ArgumentException($"a control character cannot go into a unit file: {text}", nameof(text))
            : "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("%", "%%", StringComparison.Ordinal) + "\"";
}

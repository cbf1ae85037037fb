using Lethe.Core;

namespace Lethe.Machine.Generations;

/// <summary>What lethe autoupdate enable did: the unit files written, and whether systemd took them.</summary>
/// <param name="SystemdError">Why systemctl --user could not enable the timer (no user session here); null when it did.</param>
public sealed record AutoUpdateEnabled(string UnitFolder, AutoUpdateUnitFiles Units, string? SystemdError);

/// <summary>
/// lethe autoupdate enable|disable: writes (or removes) the machine's systemd user units in <paramref name="unitFolder"/>
/// and asks the user's systemd to start (or stop) the timer. Unit files are replaced whole, never written through a link.
/// </summary>
public sealed class AutoUpdateService(string unitFolder)
{
    /// <summary>$XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user.</summary>
    public static string UserUnitFolder(Func<string, string?> getVariable) =>
        Path.Combine(getVariable("XDG_CONFIG_HOME") is { Length: > 0 } config && Path.IsPathRooted(config) ? config
            : Path.Combine(getVariable("HOME") ?? "/", ".config"), "systemd", "user");

    public async Task<AutoUpdateEnabled> EnableAsync(AutoUpdateUnitFiles units, CancellationToken stop)
    {
        Directory.CreateDirectory(unitFolder);
        if (PosixFiles.LStat(unitFolder) is not { IsDirectory: true, IsLink: false })
            throw new HostException($"{unitFolder} is not a folder of yours (a link?); lethe writes no unit there");
        Replace(units.ServiceName, units.ServiceText);
        Replace(units.TimerName, units.TimerText);
        var error = await SystemctlAsync(["daemon-reload"], stop).ConfigureAwait(false)
            ?? await SystemctlAsync(["enable", "--now", units.TimerName], stop).ConfigureAwait(false);
        return new AutoUpdateEnabled(unitFolder, units, error);
    }

    /// <summary>Stops and removes the machine's units; true when there were any.</summary>
    public async Task<bool> DisableAsync(string machine, CancellationToken stop)
    {
        var name = AutoUpdateUnits.BaseName(machine);
        var files = new[] { name + ".timer", name + ".service" }.Select(file => Path.Combine(unitFolder, file)).Where(path => PosixFiles.LStat(path) is not null).ToList();
        await SystemctlAsync(["disable", "--now", name + ".timer"], stop).ConfigureAwait(false);
        foreach (var file in files)
            File.Delete(file);
        if (files.Count > 0)
            await SystemctlAsync(["daemon-reload"], stop).ConfigureAwait(false);
        return files.Count > 0;
    }

    private void Replace(string name, string text) =>
        WholeFile.Replace(Path.Combine(unitFolder, name), text, WholeFile.Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    private static async Task<string?> SystemctlAsync(IEnumerable<string> arguments, CancellationToken stop)
    {
        try
        {
            var result = await new HostCommand("systemctl").WithArguments(["--user", .. arguments]).WithTimeout(TimeSpan.FromSeconds(30))
                .ExecuteAsync(stop).ConfigureAwait(false);
            return result.ExitCode == 0 ? null
                : Protocol.UntrustedText.ForLine(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit {result.ExitCode}");
        }
        catch (HostException e)
        {
            return e.Message;
        }
    }
}

using Lethe.Protocol;

namespace Lethe.Machine.Workstation;

/// <summary>
/// lethe logs: the supervisor's log, then the console of the current (or last) boot, optionally
/// followed while the machine runs. The console is written by the guest, so everything shown passes
/// through <see cref="UntrustedText"/>: no escape sequence of the guest's reaches the user's terminal.
/// </summary>
public static class MachineLogs
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    public static async Task WriteAsync(MachineFolder folder, TextWriter output, bool follow, CancellationToken stop)
    {
        if (File.Exists(folder.SupervisorLog))
            await CopyAsync(folder.SupervisorLog, output, follow: false, folder, stop).ConfigureAwait(false);
        var consoleLog = (folder.IsRunning() ? folder.ReadStatus()?.ConsoleLog : null) ?? folder.ConsoleLog;
        if (File.Exists(consoleLog))
            await CopyAsync(consoleLog, output, follow, folder, stop).ConfigureAwait(false);
    }

    private static async Task CopyAsync(string path, TextWriter output, bool follow, MachineFolder folder, CancellationToken stop)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        var filter = new UntrustedTextFilter();
        var buffer = new char[64 * 1024];
        while (true)
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
                await output.WriteAsync(filter.Next(new string(buffer, 0, read))).ConfigureAwait(false);
            if (!follow || !folder.IsRunning())
                break;
            await Task.Delay(FollowInterval, stop).ConfigureAwait(false);
        }
        await output.WriteAsync(filter.End()).ConfigureAwait(false);
    }
}

using System.Diagnostics;
using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>
/// Text a guest wrote (its console, a warning kept in the status) reaches the user's terminal without
/// its escape sequences. No VM: the machine folder is planted as a hostile guest would have filled it.
/// </summary>
public sealed class GuestTextTests : IDisposable
{
    private const string Hostile = "\u001b]0;pwned\u0007\u001b[2Jcleared\r\n";
    private readonly string _home = Directory.CreateTempSubdirectory("lethe-it-guesttext-").FullName;

    private string Machine(string name)
    {
        var folder = Path.Combine(_home, "state", "machines", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "supervisor.log"), "lethe: " + name + " ready\n");
        File.WriteAllText(Path.Combine(folder, "console.log"), "[    0.1] booting\r\n" + Hostile);
        return folder;
    }

    private Task<LetheResult> Lethe(params string[] arguments) =>
        LetheProcess.RunAsync(arguments, environment: new Dictionary<string, string> { ["LETHE_HOME"] = _home }, timeout: TimeSpan.FromMinutes(10));

    [Fact(Timeout = 900_000)]
    public async Task Logs_shows_the_guests_console_without_escape_sequences()
    {
        Machine("it-evil-logs");

        var logs = await Lethe("logs", "it-evil-logs");

        logs.ExitCode.ShouldBe(0, logs.ToString());
        ShouldBeSafe(logs.Stdout);
        logs.Stdout.ShouldContain("[    0.1] booting\n^[]0;pwned^G^[[2Jcleared\n");
    }

    [Fact(Timeout = 900_000)]
    public async Task Logs_follow_and_ps_show_a_running_machines_guest_text_without_escape_sequences()
    {
        var folder = Machine("it-evil-ps");
        var consoleLog = Path.Combine(folder, "console.log");
        File.WriteAllText(Path.Combine(folder, "status.json"), JsonSerializer.Serialize(new
        {
            name = "it-evil-ps", state = "running\u001b[2J", supervisorPid = Environment.ProcessId, consoleLog,
            scratch = "tmpfs (scratch disk unavailable: " + Hostile + ")", warnings = new[] { Hostile },
        }));
        Task<LetheResult> following;
        // Held as the supervisor holds it: the machine counts as running while the lock is taken.
        using (new FileStream(Path.Combine(folder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var ps = await Lethe("ps");
            ps.ExitCode.ShouldBe(0, ps.ToString());
            ShouldBeSafe(ps.Stdout);
            ps.Stdout.ShouldContain("pwned");

            following = Lethe("logs", "it-evil-ps", "-f");
            await WaitForAsync(() => Process.GetProcesses().Any(IsLogsFollow), TestContext.Current.CancellationToken);
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            File.AppendAllText(consoleLog, "later\u001b[31m red\r");
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }
        var logs = await following;
        logs.ExitCode.ShouldBe(0, logs.ToString());
        ShouldBeSafe(logs.Stdout);
        logs.Stdout.ShouldContain("later^[[31m red^M");
    }

    private static bool IsLogsFollow(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Contains("logs\0it-evil-ps\0-f", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken stop)
    {
        while (!condition())
            await Task.Delay(200, stop);
    }

    private static void ShouldBeSafe(string shown)
    {
        foreach (var forbidden in new[] { "\u001b", "\u0007", "\r", "\u009b", "\u009d" })
            shown.ShouldNotContain(forbidden, Case.Sensitive);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}

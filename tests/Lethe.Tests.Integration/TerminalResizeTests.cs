using System.Diagnostics;

namespace Lethe.Tests.Integration;

/// <summary>
/// An interactive lethe run, driven in a real terminal (a tmux pane): the guest's terminal starts at the
/// pane's size and follows it when the pane is resized, and the foreground program gets SIGWINCH.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class TerminalResizeTests(TestImage image) : IAsyncDisposable
{
    private readonly string _socket = "lethe-it-" + Guid.NewGuid().ToString("N")[..12];

    [Fact(Timeout = 600_000)]
    public async Task An_interactive_run_follows_a_resize_and_its_foreground_program_gets_sigwinch() =>
        await FollowsResizeAsync($"{LetheProcess.Launcher} run --spec {image.FastSpec}", TestContext.Current.CancellationToken);

    [Fact(Timeout = 600_000)]
    public async Task A_workstation_shell_follows_a_resize_through_its_supervisor()
    {
        const string name = "it-ws-resize";
        var stop = TestContext.Current.CancellationToken;
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", image.WorkstationSpec]);
            await FollowsResizeAsync($"{LetheProcess.Launcher} shell {name}", stop);
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }

    private async Task FollowsResizeAsync(string command, CancellationToken stop)
    {
        if (!File.Exists("/usr/bin/tmux"))
            Assert.Skip("tmux drives the terminal here; install it with: apt-get install tmux (.ci/run does)");
        await TmuxAsync(stop, "-f", "/dev/null", "new-session", "-d", "-s", "it", "-x", "120", "-y", "40", command + "; sleep 600");
        await TmuxAsync(stop, "set-option", "-g", "status", "off");
        await TmuxAsync(stop, "resize-window", "-t", "it", "-x", "120", "-y", "40");

        await ScreenShowsAsync("dev@", stop);
        await TmuxAsync(stop, "send-keys", "-t", "it", "stty size", "Enter");
        await ScreenShowsAsync("40 120", stop);

        // The foreground program prints the size it is told of, when it is told (the command line itself
        // never shows the joined words, so only the trap can).
        await TmuxAsync(stop, "send-keys", "-t", "it",
            "sh -c 'trap \"echo got-sig\\$(echo winch); stty size; exit\" WINCH; echo wait$((1+1)); while :; do sleep 0.2; done'", "Enter");
        await ScreenShowsAsync("wait2", stop);
        await TmuxAsync(stop, "resize-window", "-t", "it", "-x", "100", "-y", "30");

        await ScreenShowsAsync("got-sigwinch\n30 100\n", stop);
        await TmuxAsync(stop, "send-keys", "-t", "it", "stty size", "Enter");
        await ScreenShowsAsync("stty size\n30 100\n", stop);
        await TmuxAsync(stop, "send-keys", "-t", "it", "exit", "Enter");
    }

    private async Task<string> ScreenShowsAsync(string text, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        var screen = "";
        while (DateTime.UtcNow < deadline)
        {
            screen = await TmuxAsync(stop, "capture-pane", "-p", "-J", "-t", "it", "-S", "-200");
            if (screen.Replace("\r", "").Contains(text, StringComparison.Ordinal))
                return screen;
            await Task.Delay(500, stop);
        }
        throw new TimeoutException($"the terminal never showed '{text}'; it shows:\n{screen}");
    }

    private async Task<string> TmuxAsync(CancellationToken stop, params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-L", _socket, .. arguments])
            info.ArgumentList.Add(a);
        info.Environment["LETHE_HOME"] = LetheProcess.LetheHome;
        info.Environment["TERM"] = "xterm-256color";
        info.WorkingDirectory = LetheProcess.WorkFolder;
        using var tmux = Process.Start(info)!;
        var output = tmux.StandardOutput.ReadToEndAsync(stop);
        var errors = tmux.StandardError.ReadToEndAsync(stop);
        await tmux.WaitForExitAsync(stop);
        tmux.ExitCode.ShouldBe(0, $"tmux {string.Join(' ', arguments)}: {await errors}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        using var kill = Process.Start("tmux", ["-L", _socket, "kill-server"]);
        await kill.WaitForExitAsync();
    }
}

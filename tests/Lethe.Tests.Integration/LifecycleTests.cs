using System.Diagnostics;

namespace Lethe.Tests.Integration;

/// <summary>No orphans: however lethe ends, its QEMU ends with it, and leftovers are cleaned.</summary>
[Collection(MachineCollection.Name)]
public sealed class LifecycleTests(TestImage image)
{
    private static string RunsFolder => Path.Combine(LetheProcess.LetheHome, "run", "runs");

    [Fact(Timeout = 300_000)]
    public async Task Kill_9_of_lethe_leaves_no_qemu_and_the_next_start_cleans_the_dead_runs_folder()
    {
        using var lethe = LetheProcess.Start(["run", "--spec", image.FastSpec, "--", "sh", "-c", "echo started; sleep 600"], cancellationToken: TestContext.Current.CancellationToken);
        lethe.StandardInput.Close();
        (await lethe.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe("started");
        var qemu = QemuProcessesOf(lethe.Id);
        qemu.ShouldNotBeEmpty();

        lethe.Kill(); // SIGKILL: no handler runs
        foreach (var pid in qemu)
            (await Gone(pid, TimeSpan.FromSeconds(10))).ShouldBeTrue($"QEMU {pid} outlived lethe");

        var deadRun = Directory.GetDirectories(RunsFolder).Where(d => d.Contains($"-{lethe.Id}-", StringComparison.Ordinal)).ToList();
        deadRun.Count.ShouldBe(1, "the killed run's folder stays until the next start");

        var next = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "true"]);
        next.ExitCode.ShouldBe(0, next.ToString());
        Directory.Exists(deadRun[0]).ShouldBeFalse();
    }

    [Theory(Timeout = 300_000)]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_to_lethe_powers_the_machine_off_and_leaves_nothing(string signal)
    {
        using var lethe = LetheProcess.Start(["run", "--spec", image.FastSpec, "--", "sh", "-c", "echo started; sleep 600"], cancellationToken: TestContext.Current.CancellationToken);
        lethe.StandardInput.Close();
        (await lethe.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe("started");
        var qemu = QemuProcessesOf(lethe.Id);
        qemu.ShouldNotBeEmpty("the running machine's QEMU must be found, or the checks below prove nothing");

        Process.Start("kill", [$"-{signal}", lethe.Id.ToString()])!.WaitForExit();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await lethe.WaitForExitAsync(cts.Token);

        lethe.ExitCode.ShouldBe(130);
        foreach (var pid in qemu)
            (await Gone(pid, TimeSpan.FromSeconds(5))).ShouldBeTrue();
        Directory.GetDirectories(RunsFolder).ShouldNotContain(d => d.Contains($"-{lethe.Id}-", StringComparison.Ordinal));
    }

    /// <summary>The launcher execs dotnet, so lethe's pid is the launcher's; QEMU is its child.</summary>
    private static List<int> QemuProcessesOf(int lethePid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(n => int.TryParse(n, out _))
            .Select(int.Parse!)
            .Where(pid => ParentOf(pid) == lethePid && CommandOf(pid).Contains("qemu-system", StringComparison.Ordinal))
            .ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }

    private static string CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task<bool> Gone(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal))
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}

using System.Diagnostics;
using Lethe.Machine.Run;

namespace Lethe.Tests.Machine;

public sealed class RunDirectoryTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_dead_runs_folder_is_removed_and_the_vm_it_left_is_killed_while_live_runs_are_kept()
    {
        var root = Directory.CreateTempSubdirectory("lethe-runs-").FullName;
        using var orphan = StartFakeQemu(root);
        using var deadOwner = Process.Start("true");
        await deadOwner.WaitForExitAsync(TestContext.Current.CancellationToken);
        try
        {
            var dead = Path.Combine(root, "dead");
            Directory.CreateDirectory(dead);
            // A pid that no longer runs, and a start time that cannot match a live process.
            await File.WriteAllTextAsync(Path.Combine(dead, "owner"), $"{deadOwner.Id} 1\n{ProcessIdentity.Of(orphan.Id)}\n", TestContext.Current.CancellationToken);
            using var live = RunDirectory.Create(root, "live");

            RunDirectory.CleanStale(root).ShouldBe(1);

            Directory.Exists(dead).ShouldBeFalse();
            Directory.Exists(live.Path).ShouldBeTrue();
            (await WaitForExit(orphan)).ShouldBeTrue();
        }
        finally
        {
            if (!orphan.HasExited)
                orphan.Kill();
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_recycled_pid_is_not_taken_for_the_process_it_once_was()
    {
        var me = ProcessIdentity.Of(Environment.ProcessId);
        me.IsAlive().ShouldBeTrue();
        (me with { StartTicks = me.StartTicks + 1 }).IsAlive().ShouldBeFalse();
    }

    /// <summary>sleep under a QEMU binary's name, run as an account lethe gives QEMU (nobody, when the
    /// tests run as root): the only kind of process the clean-up may kill.</summary>
    private static Process StartFakeQemu(string root)
    {
        var bin = Path.Combine(root, "bin");
        Directory.CreateDirectory(bin);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var fake = Path.Combine(bin, "qemu-system-x86_64");
        File.Copy("/bin/sleep", fake);
        var info = Environment.UserName == "root"
            ? new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", fake, "60"])
            : new ProcessStartInfo(fake, ["60"]);
        var process = Process.Start(info)!;
        // setpriv execs the fake QEMU in place; wait until it has, so its exe is the one the clean-up checks.
        for (var i = 0; i < 100 && !(File.ResolveLinkTarget($"/proc/{process.Id}/exe", false)?.FullName ?? "").EndsWith("qemu-system-x86_64", StringComparison.Ordinal); i++)
            Thread.Sleep(20);
        return process;
    }

    private static async Task<bool> WaitForExit(Process process)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await process.WaitForExitAsync(cts.Token);
        return process.HasExited;
    }
}

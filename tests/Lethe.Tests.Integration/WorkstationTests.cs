using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>Long-lived machines: wiped at every boot but for the allowlist.</summary>
[Collection(MachineCollection.Name)]
public sealed class WorkstationTests(TestImage image)
{
    private const int Timeout = 600_000;

    private async Task<LetheResult> Lethe(params string[] arguments)
    {
        var result = await LetheProcess.RunAsync(arguments);
        return result;
    }

    private async Task Down(string name) => await Lethe("down", name);

    [Fact(Timeout = Timeout)]
    public async Task The_allowlist_survives_reboot_and_down_up_while_everything_else_is_wiped_and_diff_names_it_first()
    {
        const string name = "it-ws-keep";
        try
        {
            (await Lethe("up", name, "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            var write = await Lethe("exec", name, "--", "sh", "-c",
                "set -e; sudo sh -c 'echo kept > /etc/keep/file; echo lost > /etc/outside'; echo kept > ~/src/file; echo lost > ~/outside; echo s > ~/.config/tool/settings; echo p > ~/private/p");
            write.ExitCode.ShouldBe(0, write.ToString());

            var diff = await Lethe("persist", "diff", name, "--spec", image.WorkstationSpec);
            diff.ExitCode.ShouldBe(0, diff.ToString());
            diff.Stdout.ShouldContain("/etc ");
            diff.Stdout.ShouldContain("/home/dev ");
            diff.Stdout.ShouldNotContain("/home/dev/src");
            diff.Stdout.ShouldNotContain("/etc/keep");

            (await Lethe("reboot", name)).ExitCode.ShouldBe(0);
            await ShouldHoldAsync(name, "after reboot");

            (await Lethe("down", name)).ExitCode.ShouldBe(0);
            (await Lethe("up", name, "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            await ShouldHoldAsync(name, "after down and up");
        }
        finally
        {
            await Down(name);
        }
    }

    private async Task ShouldHoldAsync(string name, string when)
    {
        var read = await Lethe("exec", name, "--", "sh", "-c",
            "cat /etc/keep/file ~/src/file ~/.config/tool/settings ~/private/p; ls /etc/outside ~/outside 2>&1 | wc -l; " +
            "stat -c '%n %U %G %a' /etc/keep ~/src ~/.config ~/.config/tool ~/.config/tool/settings ~/private");
        read.ExitCode.ShouldBe(0, $"{when}: {read}");
        var lines = read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[..5].ShouldBe(["kept", "kept", "s", "p", "2"], $"{when}: {read}");
        lines[5..].ShouldBe(
        [
            "/etc/keep root root 755",
            "/home/dev/src dev dev 755",
            "/home/dev/.config dev dev 755",
            "/home/dev/.config/tool dev dev 755",
            "/home/dev/.config/tool/settings dev dev 644",
            "/home/dev/private dev dev 700",
        ], $"{when}: {read}");
    }

    [Fact(Timeout = Timeout)]
    public async Task Two_machines_run_side_by_side_and_a_name_in_use_is_refused()
    {
        try
        {
            (await Lethe("up", "it-ws-a", "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            (await Lethe("up", "it-ws-b", "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            var again = await Lethe("up", "it-ws-a", "--spec", image.WorkstationSpec);
            again.ExitCode.ShouldBe(1, again.ToString());
            again.Stderr.ShouldContain("already running");

            var ps = await Lethe("ps", "--json");
            using var json = JsonDocument.Parse(ps.Stdout);
            var states = json.RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("state").GetString());
            states["it-ws-a"].ShouldBe("running");
            states["it-ws-b"].ShouldBe("running");
            (await Lethe("exec", "it-ws-b", "--", "hostname")).Stdout.ShouldBe("it-ws-b\n");

            // Many short sessions at once: clients that leave as soon as they have their status must never
            // disturb the machine (a late message to a closed client once stopped the whole supervisor).
            var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Lethe("exec", "it-ws-a", "--", "sh", "-c", $"echo {i}; exit {i % 3}")));
            for (var i = 0; i < burst.Length; i++)
            {
                burst[i].ExitCode.ShouldBe(i % 3, burst[i].ToString());
                burst[i].Stdout.ShouldBe($"{i}\n");
            }
            (await Lethe("exec", "it-ws-a", "--", "true")).ExitCode.ShouldBe(0, "the machine must still be up after the burst");
        }
        finally
        {
            await Down("it-ws-a");
            await Down("it-ws-b");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task A_killed_supervisor_takes_qemu_with_it_and_never_blocks_the_next_up()
    {
        const string name = "it-ws-kill";
        try
        {
            (await Lethe("up", name, "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            var status = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(LetheProcess.LetheHome, "state", "machines", name, "status.json"), TestContext.Current.CancellationToken)).RootElement;
            var supervisor = status.GetProperty("supervisorPid").GetInt32();
            var qemu = status.GetProperty("qemuPid").GetInt32();

            System.Diagnostics.Process.GetProcessById(supervisor).Kill();
            (await ProcessGone(qemu)).ShouldBeTrue("QEMU outlived its supervisor");

            var ps = await Lethe("ps");
            ps.Stdout.ShouldContain($"{name}");
            ps.Stdout.ShouldMatch($@"{name}\s+stopped");
            var up = await Lethe("up", name, "--spec", image.WorkstationSpec);
            up.ExitCode.ShouldBe(0, up.ToString());
        }
        finally
        {
            await Down(name);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Verify_passes_on_a_healthy_workstation_and_names_the_check_when_persistence_is_broken()
    {
        var healthy = await Lethe("verify", "--spec", image.WorkstationSpec);
        healthy.ExitCode.ShouldBe(0, healthy.ToString());
        healthy.Stdout.ShouldContain("kept: /etc/keep/.lethe-canary-");
        healthy.Stdout.ShouldContain("wiped: /etc/.lethe-canary-");
        healthy.Stdout.ShouldContain("identity: machine-id");

        const string name = "it-ws-broken";
        try
        {
            (await Lethe("up", name, "--spec", image.WorkstationSpec)).ExitCode.ShouldBe(0);
            // Break the allowlist on purpose: /etc/keep is no longer backed by the persist disk.
            (await Lethe("exec", name, "--", "sudo", "umount", "/etc/keep")).ExitCode.ShouldBe(0);
            var broken = await Lethe("verify", name);
            broken.ExitCode.ShouldBe(1, broken.ToString());
            broken.Stdout.ShouldMatch(@"FAIL\s+backed: /etc/keep");
            broken.Stdout.ShouldMatch(@"FAIL\s+kept: /etc/keep/\.lethe-canary-");
        }
        finally
        {
            await Down(name);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Verify_passes_on_the_embedded_default_workstation()
    {
        // A folder without lethe.yaml: the embedded default spec and its allowlist.
        var result = await LetheProcess.RunAsync(["verify"], timeout: TimeSpan.FromMinutes(20));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("kept: /home/dev/src/.lethe-canary-");
        result.Stdout.ShouldContain("backed: /home/dev/.ssh/known_hosts");
    }

    private static async Task<bool> ProcessGone(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            if (!Directory.Exists($"/proc/{pid}") || (await File.ReadAllTextAsync($"/proc/{pid}/stat")).Contains(") Z ", StringComparison.Ordinal))
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}

namespace Lethe.Tests.Integration;

/// <summary>
/// Warm starts: two machines restored from one snapshot share no identity and no RNG state. The first
/// --warm run takes the snapshot (or restores one a previous test run left); the next two are restores.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class WarmTests(TestImage image)
{
    private const string Probe = "echo hello-$LETHE_TEST; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; cat /proc/sys/kernel/random/boot_id /etc/machine-id";

    [Fact(Timeout = 900_000)]
    public async Task Two_restores_of_one_snapshot_differ_in_urandom_boot_id_and_machine_id_and_run_the_command()
    {
        var stop = TestContext.Current.CancellationToken;
        var first = await LetheProcess.RunAsync(["run", "--warm", "--spec", image.FastSpec, "--", "sh", "-c", Probe], stop);
        first.ExitCode.ShouldBe(0, first.ToString());
        Directory.EnumerateFiles(Path.Combine(LetheProcess.LetheHome, "cache", "warm"), "*.vmstate").ShouldNotBeEmpty(first.ToString());

        var restores = new List<string[]>();
        foreach (var _ in new[] { 1, 2 })
        {
            var restored = await LetheProcess.RunAsync(["run", "--warm", "--spec", image.FastSpec, "--", "sh", "-c", Probe], stop);
            restored.ExitCode.ShouldBe(0, restored.ToString());
            restored.Stderr.ShouldNotContain("cold", Case.Sensitive, restored.ToString());
            restored.Stderr.ShouldNotContain("snapshot", Case.Sensitive, restored.ToString());
            var lines = restored.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Length.ShouldBe(4, restored.ToString());
            lines[0].ShouldBe("hello-yes");
            lines[1].Length.ShouldBe(64, restored.ToString());
            restores.Add(lines);
        }
        restores[0][1].ShouldNotBe(restores[1][1], "urandom");
        restores[0][2].ShouldNotBe(restores[1][2], "boot_id");
        restores[0][3].ShouldNotBe(restores[1][3], "machine-id");
    }

    /// <summary>
    /// A workstation's disks are its own after a restore: the snapshot comes from a template on blank disks, and the
    /// guest drops what its kernel cached of them. The persist disk's files and the kept identity survive a reboot,
    /// and the scratch disk is a fresh encrypted ext4, both after an up and after a reboot that were restores.
    /// </summary>
    [Fact(Timeout = 900_000)]
    public async Task A_warm_workstation_is_restored_with_its_own_persist_and_scratch_disks_and_keeps_its_identity_across_reboot()
    {
        const string name = "it-warm-ws";
        var spec = image.WriteSpec(name, "warm: true\npersist:\n  size: 256M\n  paths:\n    - ~/src\n");
        const string probe = "cat ~/src/file 2>/dev/null || echo none; cat /etc/machine-id; findmnt -n -o FSTYPE /scratch; touch /scratch/ok && echo scratch-writable";
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec, "--scratch", "256M"]);
            var first = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "echo kept > ~/src/file; " + probe]);
            first.ExitCode.ShouldBe(0, first.ToString());
            var before = first.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            before.Length.ShouldBe(4, first.ToString());
            before[0].ShouldBe("kept");
            before[2..].ShouldBe(["ext4", "scratch-writable"], first.ToString());

            (await LetheProcess.RunAsync(["reboot", name])).ExitCode.ShouldBe(0);
            var second = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", probe]);
            second.ExitCode.ShouldBe(0, second.ToString());
            second.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["kept", before[1], "ext4", "scratch-writable"], second.ToString());

            var log = await File.ReadAllTextAsync(Path.Combine(LetheProcess.LetheHome, "state", "machines", name, "supervisor.log"), TestContext.Current.CancellationToken);
            log.ShouldNotContain("cold", Case.Sensitive, log);
            log.ShouldNotContain("snapshot", Case.Sensitive, log);
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }
}

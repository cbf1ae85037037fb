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
}

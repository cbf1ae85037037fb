namespace Lethe.Tests.Integration;

public sealed class SpecErrorTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_spec_with_three_mistakes_gets_three_positioned_errors_and_exit_2_before_any_boot()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-bad-").FullName;
        try
        {
            var spec = Path.Combine(folder, "lethe.yaml");
            await File.WriteAllTextAsync(spec, "name: Bad Name\nresources:\n  memroy: 512\naccel: fast\n", TestContext.Current.CancellationToken);
            var result = await LetheProcess.RunAsync(["run", "--", "true"], workingDirectory: folder);
            result.ExitCode.ShouldBe(2, result.ToString());
            var lines = LethesOwnLines(result.Stderr);
            lines.Count.ShouldBe(3, result.ToString());
            lines[0].ShouldStartWith($"{spec}:1:7: ");
            lines[1].ShouldStartWith($"{spec}:3:3: ");
            lines[1].ShouldContain("did you mean 'memory'");
            lines[2].ShouldStartWith($"{spec}:4:8: ");
            result.Stderr.ShouldNotContain("using TCG", Case.Sensitive);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>stderr without the launcher's "building lethe" line, which only a changed checkout prints.</summary>
    private static List<string> LethesOwnLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("lethe: building lethe", StringComparison.Ordinal)).ToList();

    [Fact(Timeout = 120_000)]
    public async Task Usage_errors_exit_2_with_one_line()
    {
        var result = await LetheProcess.RunAsync(["run", "--memory", "lots", "--", "true"]);
        result.ExitCode.ShouldBe(2, result.ToString());
        LethesOwnLines(result.Stderr).Count.ShouldBe(1, result.ToString());

        var noDash = await LetheProcess.RunAsync(["run", "echo", "hi"]);
        noDash.ExitCode.ShouldBe(2, noDash.ToString());
        noDash.Stderr.ShouldContain("after --");
    }

    [Fact(Timeout = 120_000)]
    public async Task Demanding_kvm_where_it_cannot_work_exits_3_with_the_reason_and_doctor_explains()
    {
        var doctor = await LetheProcess.RunAsync(["doctor"]);
        doctor.ExitCode.ShouldBe(0, doctor.ToString());
        doctor.Stdout.ShouldContain("kvm:");
        if (!doctor.Stdout.Contains("kvm:         not used", StringComparison.Ordinal))
            Assert.Skip("KVM works on this host: there is nothing to refuse");
        var result = await LetheProcess.RunAsync(["run", "--accel", "kvm", "--", "true"]);
        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldStartWith("lethe: --accel kvm: ");
    }
}

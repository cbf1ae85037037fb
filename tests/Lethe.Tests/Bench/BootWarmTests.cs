using Lethe.Machine.Bench;
using Lethe.Protocol;

namespace Lethe.Tests.Bench;

public sealed class BootWarmTests
{
    private sealed class Kind(string name) : IBootKind
    {
        public string Name => name;
        public string Description => name + " described";
        public Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop) => throw new NotSupportedException();
    }

    // A restored guest's uptime includes its boot before the snapshot: 2 000 ms of timeline, though QEMU ran 600 ms before ready.
    private static BootReport RestoreReport() => new()
    {
        ProcessStartMonotonicMs = 10_020, MainEnteredMs = 80, ImageReadyMs = 200, QemuStartedMs = 230, ReadyMs = 830,
        CommandStartMs = 835, CommandEndMs = 860, QemuExitMs = 960,
        GuestTimeline = [new("kernel", 1200), new("modules", 1700), new("root", 1900), new("ready", 2000)],
        QemuPeakRssKiB = 200_000, GuestMemoryInUseKiB = 60_000,
    };

    [Theory]
    [InlineData("lethe: the warm snapshot was not restored (migration failed); booting cold")]
    [InlineData("lethe: no warm snapshot was taken: disk full")]
    [InlineData("lethe: --warm: no snapshots of a machine with a scratch or persist disk; booting cold")]
    [InlineData("lethe: the warm snapshot is not used: it is not a regular file")]
    public void A_cold_fallback_line_is_found_among_others(string line)
    {
        BootWarm.ColdFallback($"something else\n{line}\n").ShouldBe(line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lethe: the spec's image has no sudo\n")]
    [InlineData("a line about a cold snapshot that lethe did not print\n")]
    public void A_restore_has_no_cold_fallback_line(string stderr)
    {
        BootWarm.ColdFallback(stderr).ShouldBeNull();
    }

    [Fact]
    public void A_spec_with_warm_true_is_refused_since_its_lethe_kind_would_restore_too()
    {
        BootWarm.ColdKindProblem(Lethe.Tests.Spec.SpecAssert.Valid("name: a\nwarm: true\n")).ShouldNotBeNull().ShouldContain("warm: true");
        BootWarm.ColdKindProblem(Lethe.Tests.Spec.SpecAssert.Valid("name: a\n")).ShouldBeNull();
    }

    [Fact]
    public void The_warm_kind_runs_lethe_run_with_warm_after_run()
    {
        BootLetheKind.WarmArguments(["run", "--spec", "/s.yaml", "--memory=512", "--", "true"]).ShouldBe(["run", "--warm", "--spec", "/s.yaml", "--memory=512", "--", "true"]);
        Should.Throw<ArgumentException>(() => BootLetheKind.WarmArguments(["bench"]));
        var warm = BootLetheKind.Warm(["run", "--", "true"], "/nowhere");
        warm.Name.ShouldBe(BootKinds.Warm);
        new BootLetheKind(["run", "--", "true"], "/nowhere").Name.ShouldBe(BootKinds.Lethe);
    }

    [Fact]
    public void Warms_phases_are_the_hosts_marks_only_and_add_up_to_the_wall_time()
    {
        var phases = BootWarm.Phases(RestoreReport(), spawnMonotonicMs: 10_000, wallMs: 1000)!;
        phases.Select(p => p.Name).ShouldBe(["CLI start", "image lookup", "QEMU start", "restore to ready", "command start", "command", "QEMU exit", "CLI exit"]);
        phases.Sum(p => p.Ms).ShouldBe(1000, tolerance: 0.01);
        phases.Single(p => p.Name == "restore to ready").Ms.ShouldBe(600);
        phases.Single(p => p.Name == "CLI exit").Ms.ShouldBe(20); // 1000 − (20 + 960)
        BootWarm.Phases(RestoreReport() with { QemuStartedMs = null }, 10_000, 1000).ShouldBeNull();
    }

    [Fact]
    public void The_wait_for_the_command_runs_from_the_spawn_to_the_commands_start()
    {
        BootWarm.ToCommandMs(RestoreReport(), spawnMonotonicMs: 10_000).ShouldBe(855); // 20 + 835
        BootWarm.ToCommandMs(RestoreReport() with { CommandStartMs = null }, 10_000).ShouldBeNull();
    }

    private static BootBenchResult Result(double warmPrimingSeconds = 12.3)
    {
        BootSample[] samples =
        [
            new() { Kind = "lethe", Round = 0, WallMs = 3000, GuestReadyMs = 2000, CommandMs = 20, ToCommandMs = 2500, HostOverheadMs = 980,
                QemuPeakRssKiB = 307200, GuestMemoryInUseKiB = 61440, Phases = [new("CLI start", 100), new("kernel", 1200)] },
            new() { Kind = "baseline", Round = 0, WallMs = 22_600, QemuPeakRssKiB = 780 * 1024 },
            new() { Kind = "floor", Round = 0, WallMs = 1500 },
            new() { Kind = "warm", Round = 0, WallMs = 1200, CommandMs = 30, ToCommandMs = 1000, QemuPeakRssKiB = 204800, GuestMemoryInUseKiB = 61440,
                Phases = [new("CLI start", 100), new("restore to ready", 600)] },
        ];
        var host = new BootHostFacts("CPU X", 2, "tcg", "QEMU emulator version 7.2.0", "6.1.0", "1.0.0", "2026-11-28 01:00 UTC");
        return BootBench.Summarize("lethe bench --runs 1", 1, 512, 2, host, [new Kind("lethe"), new Kind("baseline"), new Kind("floor"), new Kind("warm")],
            samples, 0, warmPrimingSeconds: warmPrimingSeconds);
    }

    [Fact]
    public void Warm_is_compared_with_a_cold_boot_and_the_floor_and_keeps_out_of_lethes_figures()
    {
        var result = Result();
        result.Ratios.ShouldBe([new Ratio("baseline", "lethe", 7.53), new Ratio("lethe", "floor", 2), new Ratio("lethe", "warm", 2.5), new Ratio("warm", "floor", 0.8)]);
        result.WarmStart.ShouldBe(new WarmStartSummary(new Summary(1, 1000, 1000, 1000), new Summary(1, 2500, 2500, 2500), 2.5, new Summary(1, 30, 30, 30)));
        result.WarmPhaseMedians.ShouldBe([new PhaseTime("CLI start", 100), new PhaseTime("restore to ready", 600)]);
        result.WarmPrimingSeconds.ShouldBe(12.3);
        result.LethePhaseMedians.Select(p => p.Name).ShouldBe(["CLI start", "kernel"]);
        result.HostOverhead!.MedianMs.ShouldBe(980);
        result.Kinds.Single(k => k.Kind == "warm").QemuPeakRssMiB.ShouldBe(200);
    }

    [Fact]
    public void Without_warm_samples_there_is_no_warm_figure()
    {
        var result = BootBench.Summarize("lethe bench", 1, 512, 2, new BootHostFacts("CPU X", 2, "tcg", "QEMU", "6.1.0", "1.0.0", "now"),
            [new Kind("lethe"), new Kind("floor")], [new() { Kind = "lethe", Round = 0, WallMs = 3000 }, new() { Kind = "floor", Round = 0, WallMs = 1500 }], 0);
        result.WarmStart.ShouldBeNull();
        result.WarmPhaseMedians.ShouldBeEmpty();
        result.Ratios.ShouldBe([new Ratio("lethe", "floor", 2)]);
        BootBenchText.Render(result).ShouldNotContain("warm");
        BootBenchText.Markdown(result).ShouldNotContain("warm");
    }

    [Fact]
    public void The_text_says_how_many_times_faster_a_restore_is_than_a_cold_boot()
    {
        var text = BootBenchText.Render(Result());
        text.ShouldContain("warm      median   1.20 s");
        text.ShouldContain("lethe / warm 2.50x; warm / floor 0.80x");
        text.ShouldContain("warm start, spawn to the command: median 1.00 s (min 1.00 s, max 1.00 s), a cold boot's 2.50 s: restore is 2.50x faster than a cold boot; the command itself 30 ms");
        text.ShouldContain("warm's phases (medians, host clock");
        text.ShouldContain("CLI start 100 ms → restore to ready 600 ms");
        text.ShouldContain("warm: warm described");
        text.ShouldContain("priming run, which takes the snapshot when there is none: 12.3 s");
        BootBenchText.Render(Result(warmPrimingSeconds: 0)).ShouldNotContain("priming");
    }

    [Fact]
    public void The_markdown_table_has_a_warm_row_and_the_restores_speedup()
    {
        var md = BootBenchText.Markdown(Result());
        md.ShouldContain("| warm | 1.20 s | 1.20 s | 1.20 s | 200 MiB | 60 MiB |");
        md.ShouldContain("lethe / warm **2.50x**");
        md.ShouldContain("Warm start, spawn to the command: median 1.00 s (min 1.00 s, max 1.00 s), a cold boot's 2.50 s: restore is **2.50x** faster than a cold boot");
        md.ShouldContain("| warm's phase (median) | CLI start | restore to ready |");
        md.ShouldContain("| ms | 100 | 600 |");
    }
}

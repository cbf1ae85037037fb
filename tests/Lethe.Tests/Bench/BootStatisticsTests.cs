using Lethe.Machine.Bench;
using Lethe.Protocol;

namespace Lethe.Tests.Bench;

public sealed class BootStatisticsTests
{
    private static readonly BootPhase[] Timeline = [new("kernel", 1200), new("modules", 1700), new("image", 1750), new("root", 1900), new("ready", 2000)];

    private static BootReport Report() => new()
    {
        ProcessStartMonotonicMs = 10_020, MainEnteredMs = 80, ImageReadyMs = 200, QemuStartedMs = 230, ReadyMs = 2330,
        CommandStartMs = 2335, CommandEndMs = 2360, QemuExitMs = 2460, GuestTimeline = Timeline, QemuPeakRssKiB = 300_000, GuestMemoryInUseKiB = 60_000,
    };

    [Fact]
    public void Summaries_have_the_median_min_and_max()
    {
        BootStatistics.Summarize([5, 1, 3]).ShouldBe(new Summary(3, 3, 1, 5));
        BootStatistics.Summarize([4, 1, 3, 2]).ShouldBe(new Summary(4, 2.5, 1, 4));
        Should.Throw<ArgumentException>(() => BootStatistics.Summarize([]));
    }

    [Fact]
    public void Lethes_phases_follow_each_other_and_add_up_to_the_wall_time()
    {
        // The parent started the child at 10 000 ms; the child's process started 20 ms later; the child ran 2 500 ms.
        var phases = BootStatistics.LethePhases(Report(), spawnMonotonicMs: 10_000, wallMs: 2500)!;
        phases.Select(p => p.Name).ShouldBe(["CLI start", "image lookup", "QEMU start", "QEMU setup + channel", "kernel", "modules", "root", "guest to ready",
            "command start", "command", "QEMU exit", "CLI exit"]);
        phases.Sum(p => p.Ms).ShouldBe(2500, tolerance: 0.01);
        phases.Single(p => p.Name == "CLI start").Ms.ShouldBe(100);
        phases.Single(p => p.Name == "image lookup").Ms.ShouldBe(120);
        phases.Single(p => p.Name == "QEMU setup + channel").Ms.ShouldBe(100); // 2330 − 230 − the guest's 2000
        phases.Single(p => p.Name == "kernel").Ms.ShouldBe(1200);
        phases.Single(p => p.Name == "root").Ms.ShouldBe(200);
        phases.Single(p => p.Name == "command").Ms.ShouldBe(25);
        phases.Single(p => p.Name == "CLI exit").Ms.ShouldBe(20); // 2500 − (20 + 2460)
    }

    [Fact]
    public void A_report_without_every_mark_has_no_phases()
    {
        BootStatistics.LethePhases(Report() with { CommandEndMs = null }, 10_000, 2500).ShouldBeNull();
    }

    [Fact]
    public void Host_overhead_is_the_wall_time_outside_the_guests_boot_and_the_command()
    {
        BootStatistics.HostOverheadMs(wallMs: 2500, guestReadyMs: 2000, commandMs: 25).ShouldBe(475);
    }

    [Fact]
    public void Phase_medians_keep_the_order_of_the_phases()
    {
        IReadOnlyList<PhaseTime>[] runs = [[new("a", 1), new("b", 10)], [new("a", 3), new("b", 30)], [new("a", 2), new("b", 20)]];
        BootStatistics.PhaseMedians(runs).ShouldBe([new PhaseTime("a", 2), new PhaseTime("b", 20)]);
    }

    private static KindSummary Kind(string name, double median, double? rssMiB = null) => new(name, name, new Summary(3, median, median, median), rssMiB, null);

    [Fact]
    public void Ratios_are_of_medians_pair_by_pair_and_skip_a_missing_kind()
    {
        KindSummary[] kinds = [Kind(BootKinds.Lethe, 3000), Kind(BootKinds.Baseline, 22_500), Kind(BootKinds.Floor, 1500)];
        BootStatistics.Ratios(kinds, BootBench.DefaultPairs).ShouldBe([new Ratio("baseline", "lethe", 7.5), new Ratio("lethe", "floor", 2)]);
        BootStatistics.Ratios(kinds[..1], BootBench.DefaultPairs).ShouldBeEmpty();
    }

    [Fact]
    public void Targets_say_met_or_missed_and_by_how_much()
    {
        KindSummary[] kinds = [Kind(BootKinds.Lethe, 3000, rssMiB: 300), Kind(BootKinds.Baseline, 22_500), Kind(BootKinds.Floor, 1500)];
        var targets = BootStatistics.Targets(kinds, hostOverheadMedianMs: 1000, memoryMiB: 512);
        targets.Select(t => (t.Name, t.Met)).ShouldBe([("10x the baseline", (bool?)false), ("within 1.5x of the floor", false), ("host overhead", false), ("QEMU peak RSS", false)]);
        targets[0].Margin.ShouldContain("lethe needs 2.25 s (is 3.00 s): 750 ms too slow");
        targets[1].Margin.ShouldContain("750 ms too slow");
        targets[2].Margin.ShouldBe("700 ms over");
        targets[3].Margin.ShouldBe("100 MiB over");

        var fast = BootStatistics.Targets([Kind(BootKinds.Lethe, 2000, rssMiB: 150), Kind(BootKinds.Baseline, 22_000), Kind(BootKinds.Floor, 1500)], 200, 512);
        fast.ShouldAllBe(t => t.Met == true);
        fast[0].Margin.ShouldBe("200 ms to spare");
    }

    [Fact]
    public void The_rss_target_is_only_judged_for_a_512_MiB_guest()
    {
        var target = BootStatistics.Targets([Kind(BootKinds.Lethe, 2000, rssMiB: 150)], null, 768).Single();
        target.Met.ShouldBeNull();
        target.Margin.ShouldContain("this one had 768 MiB");
    }

    [Fact]
    public void Rounds_turn_the_order_of_the_kinds()
    {
        string[] kinds = ["lethe", "baseline", "floor"];
        BootBench.Rotate(kinds, 0).ShouldBe(kinds);
        BootBench.Rotate(kinds, 1).ShouldBe(["baseline", "floor", "lethe"]);
        BootBench.Rotate(kinds, 3).ShouldBe(kinds);
    }
}

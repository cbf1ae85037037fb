using Lethe.Machine.Bench;

namespace Lethe.Tests.Bench;

public sealed class BootBenchTextTests
{
    private sealed class Kind(string name) : IBootKind
    {
        public string Name => name;
        public string Description => name + " described";
        public Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop) => throw new NotSupportedException();
    }

    private static BootBenchResult Result()
    {
        BootSample[] samples =
        [
            new() { Kind = "lethe", Round = 0, WallMs = 3000, GuestReadyMs = 2000, CommandMs = 20, HostOverheadMs = 980, QemuPeakRssKiB = 307200, GuestMemoryInUseKiB = 61440,
                Phases = [new("CLI start", 100), new("kernel", 1200)] },
            new() { Kind = "baseline", Round = 0, WallMs = 22_600, QemuPeakRssKiB = 780 * 1024 },
            new() { Kind = "floor", Round = 0, WallMs = 1500 },
        ];
        var host = new BootHostFacts("CPU X", 2, "tcg", "QEMU emulator version 7.2.0", "6.1.0", "1.0.0", "2026-11-27 22:00 UTC");
        return BootBench.Summarize("lethe bench --runs 1", 1, 512, 2, host, [new Kind("lethe"), new Kind("baseline"), new Kind("floor")], samples, 0);
    }

    [Fact]
    public void The_text_has_every_kind_the_ratios_the_phases_and_the_targets()
    {
        var text = BootBenchText.Render(Result());
        text.ShouldContain("lethe     median   3.00 s");
        text.ShouldContain("baseline / lethe 7.53x");
        text.ShouldContain("lethe / floor 2.00x");
        text.ShouldContain("CLI start 100 ms → kernel 1.20 s");
        text.ShouldContain("host overhead");
        text.ShouldContain("missed   10x the baseline");
        text.ShouldContain("baseline: baseline described");
    }

    [Fact]
    public void The_markdown_table_is_headed_by_the_command_that_made_it()
    {
        var md = BootBenchText.Markdown(Result());
        md.ShouldStartWith("`lethe bench --runs 1` (2026-11-27 22:00 UTC; CPU X, 2 cores, tcg");
        md.ShouldContain("| lethe | 3.00 s | 3.00 s | 3.00 s | 300 MiB | 60 MiB |");
        md.ShouldContain("| baseline | 22.60 s |");
        md.ShouldContain("| target | goal | measured | met | margin |");
    }
}

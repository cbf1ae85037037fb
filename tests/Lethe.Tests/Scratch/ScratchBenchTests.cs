using Lethe.Machine.Bench;
using Lethe.Protocol;

namespace Lethe.Tests.Scratch;

public sealed class ScratchBenchTests
{
    [Fact]
    public void The_scratch_phase_is_the_time_between_the_image_mount_and_the_scratch_mark()
    {
        BootPhase[] timeline = [new("kernel", 900), new("modules", 1100), new("image", 1120), new("scratch", 1500), new("ready", 1700)];
        ScratchBench.PhaseMs(timeline, "image", "scratch").ShouldBe(380);
        ScratchBench.PhaseMs(timeline, "image", "persist").ShouldBeNull();
    }

    [Fact]
    public void Medians_of_odd_and_even_counts()
    {
        ScratchBench.Median([5, 1, 3]).ShouldBe(3);
        ScratchBench.Median([4, 1, 3, 2]).ShouldBe(2.5);
    }

    [Fact]
    public void The_luks_side_formats_and_opens_with_cryptsetups_defaults_and_cleans_up()
    {
        ScratchBench.LuksScript.ShouldContain("cryptsetup luksFormat --batch-mode --type luks2 --key-file");
        ScratchBench.LuksScript.ShouldNotContain("--pbkdf");
        ScratchBench.LuksScript.ShouldContain("cryptsetup close");
    }
}

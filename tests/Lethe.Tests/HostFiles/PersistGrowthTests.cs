using Lethe.Machine.Run;

namespace Lethe.Tests.HostFiles;

public sealed class PersistGrowthTests
{
    [Fact]
    public void A_larger_size_grows_the_disk_to_exactly_that_size() =>
        PersistGrowth.Decide(1L << 30, 2048).ShouldBe(new PersistGrowth(PersistGrowthKind.Grow, 2L << 30, null));

    [Fact]
    public void The_same_size_keeps_the_disk_without_a_word() =>
        PersistGrowth.Decide(1L << 30, 1024).ShouldBe(new PersistGrowth(PersistGrowthKind.Keep, 1L << 30, null));

    [Fact]
    public void A_smaller_size_is_never_applied_and_says_so_in_one_line()
    {
        var decision = PersistGrowth.Decide(2L << 30, 1024);
        decision.Kind.ShouldBe(PersistGrowthKind.RefuseShrink);
        decision.NewBytes.ShouldBe(2L << 30);
        decision.Warning.ShouldBe("persist.size 1024M is smaller than the disk (2048M); disks are never shrunk, it stays 2048M");
    }
}

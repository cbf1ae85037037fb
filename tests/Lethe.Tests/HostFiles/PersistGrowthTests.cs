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

/// <summary>The real tools on a small disk file: mkfs.ext4, then e2fsck and resize2fs, unprivileged-safe (a file the user owns).</summary>
public sealed class PersistDiskGrowthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-grow-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact(Timeout = 60_000)]
    public async Task A_larger_size_grows_the_file_and_the_ext4_in_it_and_a_smaller_one_only_warns()
    {
        var disk = Path.Combine(_folder, "machine", "persist.ext4");
        (await PersistDisk.PrepareAsync(disk, 64, TestContext.Current.CancellationToken)).ShouldBeNull();
        (await FileSystemBytes(disk)).ShouldBe(64L << 20);

        (await PersistDisk.PrepareAsync(disk, 128, TestContext.Current.CancellationToken)).ShouldBeNull();

        new FileInfo(disk).Length.ShouldBe(128L << 20);
        (await FileSystemBytes(disk)).ShouldBe(128L << 20);

        var warning = await PersistDisk.PrepareAsync(disk, 64, TestContext.Current.CancellationToken);

        warning.ShouldBe("persist.size 64M is smaller than the disk (128M); disks are never shrunk, it stays 128M");
        new FileInfo(disk).Length.ShouldBe(128L << 20);
    }

    private static async Task<long> FileSystemBytes(string disk)
    {
        var header = await new Lethe.Core.HostCommand("dumpe2fs").WithArguments("-h", disk).RunAsync(TestContext.Current.CancellationToken);
        long Field(string name) => long.Parse(header.Split('\n').First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim());
        return Field("Block count") * Field("Block size");
    }
}

using Lethe.Image.Cache;

namespace Lethe.Tests.Image;

public sealed class CacheTests
{
    [Fact(Timeout = 60_000)]
    public async Task Work_folders_of_dead_builds_are_removed_and_live_ones_kept()
    {
        using var scratch = new ScratchFolder();
        var cache = new ImageCache(scratch.Path);
        await using var live = cache.CreateWorkFolder();
        var dead = Directory.CreateDirectory(scratch.Combine(".tmp-dead")).FullName;
        File.WriteAllText(Path.Combine(dead, ".owner"), "");
        File.WriteAllText(Path.Combine(dead, "half-built"), "x");
        var finished = Directory.CreateDirectory(scratch.Combine("abc")).FullName;

        await cache.RemoveStaleWorkFoldersAsync(TestContext.Current.CancellationToken);

        Directory.Exists(dead).ShouldBeFalse();
        Directory.Exists(live.Path).ShouldBeTrue();
        Directory.Exists(finished).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Disposing_a_work_folder_deletes_it()
    {
        using var scratch = new ScratchFolder();
        var work = new ImageCache(scratch.Path).CreateWorkFolder();
        File.WriteAllText(work.Sub("file"), "x");

        await work.DisposeAsync();

        Directory.Exists(work.Path).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task Publishing_moves_a_folder_into_place_and_replaces_an_older_one()
    {
        using var scratch = new ScratchFolder();
        scratch.Write("new/file", "new");
        scratch.Write("final/file", "old");

        await ImageCache.PublishAsync(scratch.Combine("new"), scratch.Combine("final"));

        File.ReadAllText(scratch.Combine("final/file")).ShouldBe("new");
        Directory.Exists(scratch.Combine("new")).ShouldBeFalse();
        Directory.Exists(scratch.Combine("new.old")).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_second_build_lock_on_the_same_name_waits_for_the_first()
    {
        using var scratch = new ScratchFolder();
        var cache = new ImageCache(scratch.Path);
        var first = await cache.AcquireBuildLockAsync("key", () => { }, TestContext.Current.CancellationToken);
        var waited = false;

        var second = cache.AcquireBuildLockAsync("key", () => waited = true, TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        second.IsCompleted.ShouldBeFalse();
        first.Dispose();
        (await second).Dispose();

        waited.ShouldBeTrue();
    }

    [Fact]
    public void Leftover_mounts_inside_a_folder_are_found_deepest_first()
    {
        const string MountInfo =
            "22 1 8:1 / / rw - ext4 /dev/vda rw\n" +
            "40 22 0:5 / /cache/.tmp-1/tree/proc rw - proc proc rw\n" +
            "41 22 0:6 / /cache/.tmp-1/tree/dev rw - devtmpfs udev rw\n" +
            "42 41 0:7 / /cache/.tmp-1/tree/dev/pts rw - devpts devpts rw\n" +
            "43 22 0:8 / /cache/.tmp-10/tree/proc rw - proc proc rw\n" +
            "44 22 0:9 / /cache/.tmp-1/with\\040space rw - tmpfs tmpfs rw\n";

        TreeRemover.MountPointsUnder("/cache/.tmp-1", MountInfo)
            .ShouldBe(["/cache/.tmp-1/tree/dev/pts", "/cache/.tmp-1/with space", "/cache/.tmp-1/tree/proc", "/cache/.tmp-1/tree/dev"]);
    }

    [Fact]
    public void Kernel_releases_sort_by_number()
    {
        string[] releases = ["6.1.0-10-amd64", "6.1.0-9-amd64", "6.10.0-1-amd64", "6.1.0-50-amd64"];

        releases.Order(NaturalComparer.Instance).ShouldBe(["6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-50-amd64", "6.10.0-1-amd64"]);
    }

    [Fact]
    public void The_kernel_release_is_the_newest_in_boot_that_has_modules()
    {
        using var scratch = new ScratchFolder();
        scratch.Write("boot/vmlinuz-6.1.0-9-amd64", "");
        scratch.Write("boot/vmlinuz-6.1.0-10-amd64", "");
        scratch.Write("boot/vmlinuz-6.1.0-11-amd64", "");
        scratch.Write("lib/modules/6.1.0-9-amd64/modules.dep", "");
        scratch.Write("lib/modules/6.1.0-10-amd64/modules.dep", "");

        RootfsPartProducer.KernelReleaseIn(scratch.Path).ShouldBe("6.1.0-10-amd64");
    }
}

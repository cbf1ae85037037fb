using System.Diagnostics;
using System.Formats.Tar;
using Lethe.Core;
using Lethe.Machine.Bench;
using Lethe.Spec;

namespace Lethe.Tests.Machine;

public sealed class ShareBenchTests
{
    [Fact]
    public void The_tree_plan_is_source_like_deterministic_and_of_small_files()
    {
        var plan = ShareTree.Plan(20_000);
        plan.Count.ShouldBe(20_000);
        plan.ShouldBe(ShareTree.Plan(20_000));
        plan.Select(e => e.Path).Distinct().Count().ShouldBe(20_000);
        plan.ShouldAllBe(e => e.Bytes >= ShareTree.MinFileBytes && e.Bytes <= ShareTree.MaxFileBytes);
        plan[0].Path.ShouldBe("top000/pkg0/file00.c");
        plan[20].Path.ShouldBe("top000/pkg1/file00.cs");
        plan[19_999].Path.ShouldBe("top099/pkg9/file19.h");
        plan.GroupBy(e => Path.GetDirectoryName(e.Path)).ShouldAllBe(g => g.Count() == ShareTree.FilesPerFolder);
        // Sizes spread over the range, not one size.
        plan.Select(e => e.Bytes).Distinct().Count().ShouldBeGreaterThan(1000);
        ShareTree.TotalBytes(plan).ShouldBeInRange(20_000L * 1500, 20_000L * 2800);
    }

    [Fact]
    public void Folders_come_parents_first_and_once_each()
    {
        var folders = ShareTree.Folders(ShareTree.Plan(400));
        folders.ShouldBe(["top000", "top000/pkg0", "top000/pkg1", "top000/pkg2", "top000/pkg3", "top000/pkg4", "top000/pkg5",
            "top000/pkg6", "top000/pkg7", "top000/pkg8", "top000/pkg9", "top001", "top001/pkg0", "top001/pkg1", "top001/pkg2",
            "top001/pkg3", "top001/pkg4", "top001/pkg5", "top001/pkg6", "top001/pkg7", "top001/pkg8", "top001/pkg9"]);
    }

    [Fact]
    public void Each_file_has_its_planned_size_and_its_own_text()
    {
        var plan = ShareTree.Plan(50);
        var contents = plan.Select(ShareTree.Content).ToList();
        for (var i = 0; i < plan.Count; i++)
            contents[i].Length.ShouldBe(plan[i].Bytes);
        contents.Select(Convert.ToBase64String).Distinct().Count().ShouldBe(50);
        contents.ShouldAllBe(c => c[c.Length - 1] == (byte)'\n' && c.All(b => b == '\n' || (b >= 0x20 && b < 0x7F)));
        ShareTree.Content(plan[7]).ShouldBe(contents[7]);
    }

    [Fact]
    public void The_tarball_holds_the_folders_then_the_files_with_their_content()
    {
        var plan = ShareTree.Plan(60);
        using var stream = new MemoryStream();
        ShareTree.WriteTar(stream, plan);
        stream.Position = 0;
        using var reader = new TarReader(stream);
        var entries = new List<(string Name, TarEntryType Type, byte[] Data, UnixFileMode Mode)>();
        while (reader.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry.Name, entry.EntryType, data.ToArray(), entry.Mode));
        }
        entries.Take(4).Select(e => e.Name).ShouldBe(["top000/", "top000/pkg0/", "top000/pkg1/", "top000/pkg2/"]);
        entries.Where(e => e.Type == TarEntryType.Directory).ShouldAllBe(e => e.Mode == (UnixFileMode)0b111_101_101);
        var files = entries.Where(e => e.Type == TarEntryType.RegularFile).ToList();
        files.Select(f => f.Name).ShouldBe(plan.Select(e => e.Path));
        files[3].Data.ShouldBe(ShareTree.Content(plan[3]));
        files.ShouldAllBe(f => f.Mode == (UnixFileMode)0b110_100_100);
    }

    [Fact]
    public void The_guest_script_mounts_its_tmpfs_times_as_the_user_and_drops_caches_before_cold_steps()
    {
        var script = ShareBenchScript.For("dev", "/work", 64L << 20, 5, 600);
        script.ShouldContain("mount -t tmpfs -o size=600m,mode=0755,nosuid,nodev lethe-bench \"$T\"");
        script.ShouldContain("U=dev");
        script.ShouldContain("W=/work");
        script.ShouldContain("runuser -u \"$U\" --");
        script.ShouldContain("echo 3 > /proc/sys/vm/drop_caches");
        script.ShouldContain("dd if=/dev/zero of=big bs=1M count=64 conv=fsync");
        script.ShouldContain("for i in $(seq 5)");
        script.ShouldContain("for place in tmpfs workspace");
        // The cold status and the read follow a drop.
        script.IndexOf("drop\n", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("step status-cold", StringComparison.Ordinal));
    }

    [Fact]
    public void The_guest_script_is_valid_bash()
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", "-c", ShareBenchScript.For("dev", "/work", 1 << 20, 3, 300)])
            { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        bash.ExitCode.ShouldBe(0, errors);
    }

    [Theory]
    [InlineData("root; rm -rf /", "/work")]
    [InlineData("Dev", "/work")]
    [InlineData("", "/work")]
    [InlineData("dev", "work")]
    [InlineData("dev", "/work dir")]
    [InlineData("dev", "/work$(x)")]
    public void The_guest_script_refuses_names_and_paths_that_are_not_plain(string user, string workspace) =>
        Should.Throw<ArgumentException>(() => ShareBenchScript.For(user, workspace, 1 << 20, 3, 300));

    private const string Output = """
        mount 9p rw,nosuid,nodev,relatime,access=client,msize=524288,trans=virtio
        unpack tmpfs 2000000000
        status-cold tmpfs 400000000
        status tmpfs 300000000
        status tmpfs 100000000
        status tmpfs 200000000
        write tmpfs 1000000000
        read tmpfs 500000000
        unpack workspace 20000000000
        status-cold workspace 4000000000
        status workspace 900000000
        status workspace 500000000
        status workspace 700000000
        write workspace 4000000000
        read workspace 1000000000
        """;

    [Fact]
    public void Output_becomes_milliseconds_with_the_median_of_the_warm_statuses()
    {
        var sample = ShareBenchScript.Parse(Output).ShouldNotBeNull();
        sample.WorkspaceMount.ShouldBe("9p rw,nosuid,nodev,relatime,access=client,msize=524288,trans=virtio");
        sample.Tmpfs.ShouldBe(new ShareFigures(2000, 400, 200, 1000, 500));
        sample.Workspace.ShouldBe(new ShareFigures(20000, 4000, 700, 4000, 1000));
    }

    [Theory]
    [InlineData("read workspace 1000000000")]
    [InlineData("status-cold tmpfs 400000000")]
    [InlineData("mount 9p rw,nosuid,nodev,relatime,access=client,msize=524288,trans=virtio")]
    public void Output_missing_a_step_or_the_mount_is_no_sample(string missing) =>
        ShareBenchScript.Parse(Output.Replace(missing, "", StringComparison.Ordinal)).ShouldBeNull();

    [Fact]
    public void Malformed_lines_are_ignored_not_counted()
    {
        var noisy = Output + "\nstatus workspace -5\nstatus workspace abc\nstatus elsewhere 1\nstatus workspace 1 2\n";
        ShareBenchScript.Parse(noisy).ShouldBe(ShareBenchScript.Parse(Output));
        ShareBenchScript.Parse(Output.Replace("read workspace 1000000000", "read workspace x", StringComparison.Ordinal)).ShouldBeNull();
    }

    [Fact]
    public void Medians_and_ratios_are_workspace_time_over_tmpfs_time()
    {
        ShareStatistics.Median([3, 1, 2]).ShouldBe(2);
        ShareStatistics.Median([4, 1, 2, 3]).ShouldBe(2.5);
        ShareStatistics.Median([]).ShouldBe(0);
        var medians = ShareStatistics.MediansOf([new(1, 2, 3, 4, 5), new(3, 4, 5, 6, 7), new(2, 3, 4, 5, 6)]);
        medians.ShouldBe(new ShareFigures(2, 3, 4, 5, 6));
        var ratios = ShareStatistics.RatiosOf(new ShareFigures(10, 30, 6, 8, 5), new ShareFigures(5, 10, 2, 0, 5));
        ratios.ShouldBe(new ShareRatios(2, 3, 3, 0, 1));
        ShareStatistics.MiBPerSecond(1024, 2000).ShouldBe(512);
        ShareStatistics.MiBPerSecond(1024, 0).ShouldBe(0);
    }

    [Fact]
    public void Guest_memory_fits_the_file_and_the_tree_on_tmpfs()
    {
        ShareStatistics.TmpfsMiB(1024, 20_000).ShouldBeGreaterThanOrEqualTo(1024 + 20_000 * 12 / 1024);
        ShareStatistics.MemoryMiB(1024, 20_000).ShouldBeGreaterThanOrEqualTo(ShareStatistics.TmpfsMiB(1024, 20_000) + 512);
    }

    [Fact]
    public void The_bench_spec_has_git_once()
    {
        var spec = new MachineSpec { Name = "m", Image = new ImageSpec { Packages = ["curl"] }, User = new UserSpec(), Resources = new ResourceSpec() };
        ShareBench.ForBench(spec).Image.Packages.ShouldBe(["curl", "git"]);
        ShareBench.ForBench(ShareBench.ForBench(spec)).Image.Packages.ShouldBe(["curl", "git"]);
    }

    private static FileFacts Folder(int uid) => new(IsDirectory: true, IsLink: false, IsRegularFile: false, uid, uid, (UnixFileMode)0b111_101_101, 4096);

    [Fact]
    public void As_root_the_bench_folder_goes_to_the_owner_of_the_folder_it_runs_in_never_to_root()
    {
        ShareBenchFolder.OwnerFor(letheIsRoot: false, "/home/u", Folder(1000), null).ShouldBeNull();
        ShareBenchFolder.OwnerFor(letheIsRoot: true, "/home/u", Folder(1000), 1000).ShouldBe((1000, 1000));
        Should.Throw<HostException>(() => ShareBenchFolder.OwnerFor(true, "/root", Folder(0), 0)).Message.ShouldContain("belongs to root");
        Should.Throw<HostException>(() => ShareBenchFolder.OwnerFor(true, "/srv/x", Folder(1234), null)).Message.ShouldContain("uid 1234");
        Should.Throw<HostException>(() => ShareBenchFolder.OwnerFor(true, "/srv/x", Folder(1234), 0));
        Should.Throw<HostException>(() => ShareBenchFolder.OwnerFor(false, "/x", Folder(1000) with { IsLink = true, IsDirectory = false }, null));
    }
}

using Lethe.Machine.Persist;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

public sealed class GuestStepTests
{
    [Fact]
    public void Every_step_kind_travels_as_json_and_comes_back_the_same()
    {
        BootStep[] steps =
        [
            new Mount("tmpfs", "/a", "tmpfs", MountOptions.NoSuid | MountOptions.NoDev, "size=1m"), new MoveMount("/a", "/b"),
            new BindFolder("/a", "/b"), new ChangeOwner("/a", 1, 2), new MakeDirectory("/a", 0b111_000_000),
            new CreateDirectory("/a", new Ownership(1, 2, 3)), new CreateEmptyFile("/a", new Ownership(1, 2, 3)),
            new CopyFromImage("/a", "/b"), new SetOwnership("/a", null, 5, 0b110_100_100), new BindMount("/a", "/b"),
            new WriteNewFile("/home/dev/x\ny", new Ownership(1000, 1000, 0b110_100_000), "content\0with NUL"),
            new ReadEntry("/a"), new RemoveEntry("/persist/data/x", "/persist/data"),
        ];
        var back = StepJson.DeserializeBatch(StepJson.Serialize(new StepBatch(steps)))!;
        back.Steps.ShouldBe(steps);
    }

    [Fact]
    public void A_report_carries_what_a_read_found()
    {
        var report = new StepReport([StepOutcome.Done, new StepOutcome(false, "a link"), new StepOutcome(true, Facts: new PathFacts(PathKind.File, 0, 0, 0b110_000_000), Content: "c")]);
        StepJson.DeserializeReport(StepJson.Serialize(report))!.Outcomes.ShouldBe(report.Outcomes);
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/etc/keep", true)]
    [InlineData("/etc/keep/", false)]
    [InlineData("etc", false)]
    [InlineData("/etc/../x", false)]
    [InlineData("/etc/./x", false)]
    [InlineData("/etc//x", false)]
    [InlineData("/a\0b", false)]
    [InlineData("/name with\nnewline", true)]
    public void A_path_root_acts_on_must_be_absolute_and_normalised(string path, bool normal)
    {
        GuestPaths.IsNormalAbsolute(path).ShouldBe(normal);
    }

    [Theory]
    [InlineData("/persist/data/x", "/persist/data", true)]
    [InlineData("/persist/data", "/persist/data", false)]
    [InlineData("/persist/database", "/persist/data", false)]
    [InlineData("/persist/data/../identity", "/persist/data", false)]
    [InlineData("/etc", "/", true)]
    public void Confinement_is_strictly_below_by_whole_path_parts(string path, string folder, bool below)
    {
        GuestPaths.IsStrictlyBelow(path, folder).ShouldBe(below);
    }

    private const string MountInfo = """
        22 1 0:20 / / rw - overlay overlay rw
        30 22 254:16 / /persist rw,nosuid,nodev - ext4 /dev/vdb rw
        31 22 254:16 /data/etc/keep /etc/keep rw - ext4 /dev/vdb rw
        32 22 254:16 /data/home/dev/my\040src /home/dev/my\040src rw - ext4 /dev/vdb rw
        33 22 0:30 / /home/dev/other rw - tmpfs tmpfs rw
        34 22 254:16 /data/home/dev/proj/src /home/dev/proj.old/src rw - ext4 /dev/vdb rw
        35 22 0:40 / /work rw,nosuid,nodev - 9p work rw
        """;

    [Theory]
    [InlineData("/etc/keep", true)]
    [InlineData("/home/dev/my src", true)]
    [InlineData("/home/dev/other", false)]
    [InlineData("/home/dev/proj/src", false)]
    [InlineData("/home/dev/proj.old/src", false)]
    [InlineData("/etc/missing", false)]
    public void A_kept_path_is_backed_only_when_its_own_mount_is_the_persist_disks_copy_of_it(string kept, bool backed)
    {
        MountTable.IsBacked(MountTable.Parse(MountInfo), kept).ShouldBe(backed);
    }

    [Fact]
    public void The_mount_table_gives_file_system_types()
    {
        MountTable.Parse(MountInfo).Where(m => m.FsType == "9p").Select(m => m.MountPoint).ShouldBe(["/work"]);
    }
}

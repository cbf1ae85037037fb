using Lethe.Core;
using Shouldly;
using Xunit;

namespace Lethe.Tests.Core;

public sealed class PosixFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-posix-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Stat_follows_a_link_where_lstat_reports_the_link_itself()
    {
        var target = Path.Combine(folder, "target");
        Directory.CreateDirectory(target);
        var link = Path.Combine(folder, "link");
        File.CreateSymbolicLink(link, target);

        PosixFiles.LStat(link)!.IsLink.ShouldBeTrue();
        var followed = PosixFiles.Stat(link)!;
        followed.IsLink.ShouldBeFalse();
        followed.IsDirectory.ShouldBeTrue();
        followed.Uid.ShouldBe(PosixFiles.EffectiveUid);
    }

    [Fact]
    public void Stat_of_a_dangling_link_is_null()
    {
        var link = Path.Combine(folder, "dangling");
        File.CreateSymbolicLink(link, Path.Combine(folder, "nothing"));

        PosixFiles.Stat(link).ShouldBeNull();
        PosixFiles.LStat(link).ShouldNotBeNull();
    }
}

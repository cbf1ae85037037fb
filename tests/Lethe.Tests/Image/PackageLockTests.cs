using Lethe.Core;
using Lethe.Image.Lock;
using Lethe.Spec;

namespace Lethe.Tests.Image;

public sealed class PackageLockTests
{
    private const string DpkgOutput =
        "ii zlib1g=1:1.2.13.dfsg-1\n" +
        "ii bash=5.2.15-2+b7\n" +
        "rc oldpackage=1.0\n" +
        "ii apt=2.6.1\n";

    [Fact]
    public void Installed_packages_are_read_from_dpkg_query_sorted_without_removed_ones()
    {
        var packageLock = PackageLock.FromDpkgQuery("bookworm", DpkgOutput);

        packageLock.Packages.Select(package => $"{package.Name}={package.Version}")
            .ShouldBe(["apt=2.6.1", "bash=5.2.15-2+b7", "zlib1g=1:1.2.13.dfsg-1"]);
    }

    [Fact]
    public void The_file_text_reads_back_the_same()
    {
        var packageLock = PackageLock.FromDpkgQuery("bookworm", DpkgOutput);

        var text = packageLock.Format();
        var again = PackageLock.Parse(text, "lethe.lock");

        again.Suite.ShouldBe("bookworm");
        again.Format().ShouldBe(text);
        again.SameAs(packageLock).ShouldBeTrue();
        text.ShouldContain("suite: bookworm\napt=2.6.1\nbash=5.2.15-2+b7\nzlib1g=1:1.2.13.dfsg-1\n");
    }

    [Theory]
    [InlineData("suite: bookworm\nbash\n", "lethe.lock:2: expected package=version")]
    [InlineData("bash=5\n", "no 'suite:' line")]
    public void Broken_lock_files_are_reported_with_the_line(string text, string expected) =>
        Should.Throw<LetheException>(() => PackageLock.Parse(text, "lethe.lock")).Message.ShouldContain(expected);

    [Fact]
    public void Apt_preferences_pin_every_package_above_downgrade_priority()
    {
        var preferences = PackageLock.FromDpkgQuery("bookworm", "ii apt=2.6.1\nii zlib1g=1:1.2.13.dfsg-1\n").AptPreferences();

        preferences.ShouldBe(
            "Package: apt\nPin: version 2.6.1\nPin-Priority: 1001\n\n" +
            "Package: zlib1g\nPin: version 1:1.2.13.dfsg-1\nPin-Priority: 1001\n\n");
    }

    [Fact]
    public void Moves_are_the_locked_packages_built_at_another_version()
    {
        var locked = PackageLock.FromDpkgQuery("bookworm", "ii apt=2.6.1\nii bash=5.2\nii gone=1\n");
        var built = PackageLock.FromDpkgQuery("bookworm", "ii apt=2.6.2\nii bash=5.2\nii new=3\n");

        locked.MovesTo(built).ShouldBe([new PackageMove("apt", "2.6.1", "2.6.2")]);
    }

    [Fact]
    public void The_lock_lives_beside_the_spec_or_in_the_cache_for_the_default()
    {
        var paths = new LethePaths("/cache", "/state", "/run");
        var spec = new MachineSpec
        {
            Name = "m",
            Image = new ImageSpec { Suite = "trixie" },
            User = new UserSpec(),
            Resources = new ResourceSpec(),
        };

        LockLocation.For(spec with { SourcePath = "/work/project/lethe.yaml" }, paths).ShouldBe("/work/project/lethe.lock");
        LockLocation.For(spec, paths).ShouldBe("/cache/default-trixie.lock");
    }

    [Fact]
    public void A_lock_for_another_suite_is_not_used()
    {
        using var scratch = new ScratchFolder();
        var path = scratch.Write("lethe.lock", PackageLock.FromDpkgQuery("bookworm", DpkgOutput).Format());
        var reports = new List<string>();

        LockLocation.TryRead(path, "bookworm").ShouldNotBeNull();
        LockLocation.TryRead(path, "trixie", reports.Add).ShouldBeNull();
        reports.ShouldHaveSingleItem().ShouldContain("bookworm");
        LockLocation.TryRead(scratch.Combine("missing.lock"), "bookworm").ShouldBeNull();
    }
}

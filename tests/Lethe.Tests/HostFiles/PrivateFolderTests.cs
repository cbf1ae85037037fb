using Lethe.Core;
using Lethe.Machine.Run;

namespace Lethe.Tests.HostFiles;

public sealed class PrivateFolderTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static FileFacts Folder(int uid = 1000, UnixFileMode mode = Private) => new(true, false, false, uid, uid, mode, 4096);

    [Fact]
    public void The_users_own_folder_with_mode_700_is_private() =>
        PrivateFolder.Check("/tmp/lethe-dev", Folder(), 1000).ShouldBe((null, false));

    [Fact]
    public void A_link_is_refused_whatever_it_points_to() =>
        PrivateFolder.Check("/tmp/lethe-dev", Folder() with { IsDirectory = false, IsLink = true }, 1000).Problem!.ShouldContain("symbolic link");

    [Fact]
    public void A_file_is_refused() =>
        PrivateFolder.Check("/tmp/lethe-dev", Folder() with { IsDirectory = false, IsRegularFile = true }, 1000).Problem!.ShouldContain("not a folder");

    [Fact]
    public void Another_users_folder_is_refused_even_with_mode_700()
    {
        var (problem, onlyTooOpen) = PrivateFolder.Check("/tmp/lethe-root", Folder(uid: 1001), 0);
        problem!.ShouldContain("belongs to uid 1001");
        onlyTooOpen.ShouldBeFalse();
    }

    [Fact]
    public void The_users_own_folder_open_to_others_may_be_tightened()
    {
        var (problem, onlyTooOpen) = PrivateFolder.Check("/tmp/lethe-dev", Folder(mode: (UnixFileMode)0b111_101_101), 1000);
        problem!.ShouldContain("755");
        onlyTooOpen.ShouldBeTrue();
    }

    [Fact]
    public void A_shared_sticky_folder_is_never_tightened() =>
        PrivateFolder.Check("/tmp", Folder(uid: 0, mode: (UnixFileMode)0b1_111_111_111), 0).OnlyTooOpen.ShouldBeFalse();

    [Theory]
    [InlineData("qemu-system-x86_64", 65534, 0, true)]
    [InlineData("qemu-system-x86_64", 0, 0, false)]
    [InlineData("qemu-system-x86_64", 1000, 1000, true)]
    [InlineData("qemu-system-x86_64", 1001, 1000, false)]
    [InlineData("sleep", 65534, 0, false)]
    [InlineData("sleep", 1000, 1000, false)]
    [InlineData("qemu-system-x86_64", null, 0, false)]
    public void Only_a_qemu_binary_under_an_account_lethe_gives_qemu_is_ever_signalled(string exe, int? uid, int caller, bool signalled) =>
        ProcessIdentity.IsQemuAccount(exe, uid, caller).ShouldBe(signalled);

    [Fact]
    public void Ensure_makes_a_missing_folder_with_mode_700_and_accepts_it_again()
    {
        var root = Directory.CreateTempSubdirectory("lethe-private-").FullName;
        try
        {
            var folder = Path.Combine(root, "a", "runs");
            PrivateFolder.Ensure(folder).ShouldBe(folder);
            File.GetUnixFileMode(folder).ShouldBe(Private);
            PrivateFolder.Ensure(folder).ShouldBe(folder);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Ensure_tightens_the_users_own_open_folder_through_a_handle()
    {
        var root = Directory.CreateTempSubdirectory("lethe-private-").FullName;
        try
        {
            var folder = Path.Combine(root, "run");
            Directory.CreateDirectory(folder, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            PrivateFolder.Ensure(folder);
            File.GetUnixFileMode(folder).ShouldBe(Private);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Only_lethes_own_runtime_base_names_are_checked_with_their_runs_folder()
    {
        LethePaths.IsRuntimeBaseName("lethe-dev").ShouldBeTrue();
        LethePaths.IsRuntimeBaseName("lethe").ShouldBeTrue();
        LethePaths.IsRuntimeBaseName("run").ShouldBeTrue();
        LethePaths.IsRuntimeBaseName("tmp").ShouldBeFalse();
    }
}

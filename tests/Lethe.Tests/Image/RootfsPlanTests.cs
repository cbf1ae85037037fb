using Lethe.Image.Keys;
using Lethe.Image.Rootfs;

namespace Lethe.Tests.Image;

public sealed class RootfsPlanTests
{
    private static readonly ImageRecipe Recipe = new(
        "bookworm", ["git"], "dev", 1000, UserSudo: true,
        [new RecipeFile("/host/motd", "/etc/motd", 0b110_100_100, "aa")]);

    [Fact]
    public void Mmdebstrap_builds_a_minbase_root_with_kernel_systemd_sudo_and_the_spec_packages()
    {
        var command = Mmdebstrap.Command(Recipe, "/cache/.tmp-1/tree", pinFile: null);

        command.Program.ShouldBe("mmdebstrap");
        command.Arguments.ShouldContain("--mode=root");
        command.Arguments.ShouldContain("--variant=minbase");
        command.Arguments.ShouldContain("--format=directory");
        command.Arguments.ShouldContain("--include=linux-image-amd64,systemd-sysv,util-linux,openssh-server,sudo,git");
        command.Arguments.ShouldNotContain(argument => argument.StartsWith("--setup-hook", StringComparison.Ordinal));
        command.Arguments.ShouldContain("deb http://deb.debian.org/debian bookworm main");
        command.Arguments.ShouldContain("deb http://deb.debian.org/debian-security bookworm-security main");
        var arguments = command.Arguments.ToList();
        arguments.IndexOf("bookworm").ShouldBe(arguments.IndexOf("/cache/.tmp-1/tree") - 1);
        command.Environment["SOURCE_DATE_EPOCH"].ShouldBe(ImageKey.SourceDateEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Without_sudo_the_sudo_package_is_not_installed()
    {
        Mmdebstrap.Command(Recipe with { UserSudo = false }, "/t", null).Arguments
            .ShouldContain("--include=linux-image-amd64,systemd-sysv,util-linux,openssh-server,git");
    }

    [Fact]
    public void A_lock_becomes_an_apt_preferences_file_copied_in_before_apt_runs()
    {
        var command = Mmdebstrap.Command(Recipe, "/t", "/cache/.tmp-1/it's.pref");

        command.Arguments.ShouldContain($"--setup-hook=mkdir -p \"$1/etc/apt/preferences.d\" && cp '/cache/.tmp-1/it'\\''s.pref' \"$1/{Mmdebstrap.PinFileInChroot}\"");
    }

    [Theory]
    [InlineData("sid", 1)]
    [InlineData("unstable", 1)]
    [InlineData("trixie", 3)]
    public void Released_suites_also_get_updates_and_security(string suite, int count) =>
        Mmdebstrap.SourcesFor(suite).Count.ShouldBe(count);

    [Fact]
    public void The_user_is_created_with_a_fixed_uid_and_bash()
    {
        RootfsCustomization.UserAddArguments(Recipe).ShouldBe(["useradd", "-m", "-U", "-u", "1000", "-s", "/bin/bash", "dev"]);
        RootfsCustomization.SudoersText("dev").ShouldBe("dev ALL=(ALL:ALL) NOPASSWD: ALL\n");
    }

    [Fact]
    public void Spec_files_are_installed_inside_the_chroot_owned_by_root_with_their_mode()
    {
        RootfsCustomization.InstallArguments("/tmp/lethe-files/0", Recipe.Files[0])
            .ShouldBe(["install", "-D", "-o", "root", "-g", "root", "-m", "0644", "/tmp/lethe-files/0", "/etc/motd"]);
    }

    [Fact]
    public void Identity_and_build_leftovers_are_removed_without_leaving_the_tree()
    {
        var paths = RootfsCustomization.Cleanup.Select(rule => $"{rule.Directory}/{rule.NamePattern}").ToList();
        paths.ShouldContain("etc/hostname");
        paths.ShouldContain("etc/ssh/ssh_host_*");
        paths.ShouldContain("var/lib/dbus/machine-id");
        paths.ShouldContain("var/cache/ldconfig/aux-cache");
        paths.ShouldContain("var/log/*");
        paths.ShouldContain("var/lib/apt/lists/*");
        RootfsCustomization.FixedFiles.ShouldContain(file => file.Path == "etc/machine-id" && file.Content == "");

        RootfsCustomization.FindArguments("/r", new CleanupRule("var/log", "*", Recursive: true))
            .ShouldBe(["/r/var/log", "-xdev", "-mindepth", "1", "!", "-type", "d", "-name", "*", "-delete"]);
        RootfsCustomization.FindArguments("/r", new CleanupRule("tmp", "*", Recursive: true, FoldersToo: true))
            .ShouldBe(["/r/tmp", "-xdev", "-mindepth", "1", "-name", "*", "-delete"]);
        RootfsCustomization.FindArguments("/r", new CleanupRule("etc", "*-"))
            .ShouldBe(["/r/etc", "-xdev", "-mindepth", "1", "-maxdepth", "1", "!", "-type", "d", "-name", "*-", "-delete"]);
    }
}

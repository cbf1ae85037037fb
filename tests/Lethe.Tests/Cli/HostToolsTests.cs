using Lethe.Cli.Host;

namespace Lethe.Tests.Cli;

public sealed class HostToolsTests
{
    [Fact]
    public void Missing_tools_are_named_in_one_line_with_the_apt_get_command()
    {
        var missing = HostTools.Missing(HostTools.All, program => program is not ("mmdebstrap" or "mkfs.erofs"));
        var message = HostTools.MissingMessage(missing);
        message.ShouldBe("missing host tools: mmdebstrap, mkfs.erofs; install them with: apt-get update && apt-get install --no-install-recommends mmdebstrap erofs-utils");
        message.ShouldNotContain("\n");
    }

    [Fact]
    public void Only_a_user_who_is_not_root_needs_uidmap_to_build()
    {
        HostTools.NeededFor("build", asRoot: false).Select(t => t.Package).ShouldContain("uidmap");
        HostTools.NeededFor("build", asRoot: true).Select(t => t.Package).ShouldNotContain("uidmap");
        HostTools.NeededFor("run", asRoot: false).Select(t => t.Package).ShouldNotContain("uidmap");
    }

    [Fact]
    public void A_user_is_told_to_update_the_package_list_and_install_with_sudo()
    {
        var missing = HostTools.Missing(HostTools.All, program => program != "newuidmap");
        HostTools.MissingMessage(missing, asRoot: false)
            .ShouldBe("missing host tools: newuidmap; install them with: sudo apt-get update && sudo apt-get install --no-install-recommends uidmap");
    }
}

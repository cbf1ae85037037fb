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
}

namespace Lethe.Tests.Integration;

/// <summary>Only the guest's init speaks on the control channel: the spec's user cannot open its port to forge messages.</summary>
[Collection(MachineCollection.Name)]
public sealed class GuestChannelTests(TestImage image)
{
    [Theory(Timeout = 300_000)]
    [InlineData("fast")]
    [InlineData("systemd")]
    public async Task The_control_port_belongs_to_root_alone(string init)
    {
        var spec = init == "fast" ? image.FastSpec : image.SystemdSpec;
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
            "for p in /dev/vport*p*; do stat -L -c 'port %a %U' \"$p\"; if (exec 3<>\"$p\") 2>/dev/null; then echo \"opened $p\"; fi; done"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotBeEmpty(result.ToString());
        lines.ShouldAllBe(l => l == "port 600 root", result.ToString());
    }
}

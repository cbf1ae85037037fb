namespace Lethe.Tests.Integration;

/// <summary>
/// Only the guest's init speaks on the control channel: the spec's user cannot open its port to forge messages.
/// Under each init, in the same boot: PID 1 is that init (init: systemd hands PID 1 to systemd), and the command
/// still runs as the spec's user with its exit status relayed.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class GuestChannelTests(TestImage image)
{
    [Theory(Timeout = 300_000)]
    [InlineData("fast", "init")]
    [InlineData("systemd", "systemd")]
    public async Task The_control_port_belongs_to_root_alone_under_each_init_which_is_pid_1_and_still_relays_the_command(string init, string pid1)
    {
        var spec = init == "fast" ? image.FastSpec : image.SystemdSpec;
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
            "cat /proc/1/comm; id -un; " +
            "for p in /dev/vport*p*; do stat -L -c 'port %a %U' \"$p\"; if (exec 3<>\"$p\") 2>/dev/null; then echo \"opened $p\"; fi; done; exit 3"]);

        result.ExitCode.ShouldBe(3, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Take(2).ShouldBe([pid1, "dev"], result.ToString());
        var ports = lines.Skip(2).ToList();
        ports.ShouldNotBeEmpty(result.ToString());
        ports.ShouldAllBe(l => l == "port 600 root", result.ToString());
    }
}

namespace Lethe.Tests.Integration;

/// <summary>
/// The guest side of the network that can be checked through the real CLI without the gateway. Until the
/// gateway is the default, a spec that says nothing about the network boots without one, as mode none does.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class GuestNetworkTests(TestImage image)
{
    private const int VmTimeout = 300_000;

    [Fact(Timeout = VmTimeout)]
    public async Task A_machine_without_a_network_has_no_interface_but_loopback_and_its_resolver_names_no_server()
    {
        var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c",
            "ls /sys/class/net; echo ---; cat /etc/resolv.conf; echo ---; sudo cat /proc/net/route | wc -l; ls -l /etc/resolv.conf | cut -c1"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        var parts = result.Stdout.Split("---\n");
        parts[0].ShouldBe("lo\n", result.ToString());
        parts[1].ShouldNotContain("nameserver", Case.Sensitive, "the image's resolv.conf (nameserver 10.0.2.3) is replaced");
        parts[1].ShouldContain("no network");
        // Only the header: no route at all, and resolv.conf a plain file, not a link.
        parts[2].ShouldBe("1\n-\n", result.ToString());
    }
}

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;

namespace Lethe.Tests.Integration.Network;

/// <summary>
/// The gateway's egress policy, tried from inside real guests by guest root. Every server is on the host's
/// 127.0.0.1 and started by the test; test names reach them through lethe's resolver override (LETHE_NET_HOSTS).
/// Nothing here targets an outside or private-range address except to prove it refused before any packet left.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class NetworkTests(TestImage image) : IAsyncLifetime
{
    private const int Timeout = 900_000;
    private readonly string _hosts = Path.Combine(image.Folder, "net-hosts-" + Guid.NewGuid().ToString("N")[..8]);

    public ValueTask InitializeAsync()
    {
        File.WriteAllText(_hosts, """
            127.0.0.1 web.test a.wild.test wild.test other.test ssh.test
            127.0.0.2 rebind.test
            """);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(_hosts);
        return ValueTask.CompletedTask;
    }

    private Dictionary<string, string> Environment => new() { ["LETHE_NET_HOSTS"] = _hosts };

    /// <summary>A command the guest runs as one check; it fails if it has not finished in <paramref name="Seconds"/>.</summary>
    private sealed record Check(string Label, string Command, int Seconds = 20)
    {
        public static implicit operator Check((string Label, string Command) check) => new(check.Label, check.Command);
    }

    /// <summary>Runs CHECKS (lines "label command…") in the guest; returns label → "ok:OUTPUT" or "fail:STATUS".</summary>
    private async Task<IReadOnlyDictionary<string, string>> CheckInGuestAsync(string spec, IEnumerable<Check> checks)
    {
        var script = "t() { l=$1; shift; if o=$(timeout $T bash -c \"$*\" 2>&1); then echo \"$l=ok:$(echo $o | tr -d '\\n')\"; else echo \"$l=fail:$?\"; fi; }\n"
            + string.Join("\n", checks.Select(c => $"T={c.Seconds} t {c.Label} '{c.Command.Replace("'", "'\\''")}'"));
        var run = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "bash", "-c", script], environment: Environment, timeout: TimeSpan.FromMinutes(10));
        run.ExitCode.ShouldBe(0, run.ToString());
        return run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_egress_list_allows_names_wildcards_ports_and_cidrs_and_refuses_everything_else_even_to_guest_root()
    {
        Assert.SkipUnless(System.Environment.IsPrivilegedProcess, "the HTTP and HTTPS test servers need the host's ports 80 and 443");
        await using var http = LoopbackServer.Http("hello-http", 80);
        await using var https = LoopbackServer.Https("hello-tls", 443);
        await using var ssh = LoopbackServer.Echo("ssh-banner");
        await using var cidr = LoopbackServer.Echo("cidr-banner");
        await using var unlisted = LoopbackServer.Echo("unlisted-banner");
        var spec = image.WriteSpec("it-net-list", $$"""
            network:
              egress: [web.test, "*.wild.test", "ssh.test:{{ssh.Port}}", "127.0.0.0/8:{{cidr.Port}}"]
              allow: [127.0.0.1]
            """);
        var results = await CheckInGuestAsync(spec, [
            ("front_before_dns", "curl -sk --resolve web.test:443:10.0.2.2 https://web.test/"),
            ("https", "curl -sk https://web.test/"),
            ("http", "curl -s http://web.test/"),
            ("wildcard", "curl -s http://a.wild.test/"),
            ("wildcard_apex", "getent hosts wild.test"),
            ("unlisted_name", "getent hosts other.test"),
            ("sni_mismatch", "curl -sk --resolve other.test:443:10.0.2.2 https://other.test/"),
            ("host_mismatch", "curl -s -H \"Host: other.test\" http://web.test/"),
            ("named_port", $"exec 3<>/dev/tcp/ssh.test/{ssh.Port}; head -1 <&3"),
            ("unlisted_port", $"exec 3<>/dev/tcp/web.test/{unlisted.Port}; head -1 <&3"),
            ("cidr_port", $"exec 3<>/dev/tcp/10.0.2.2/{cidr.Port}; head -1 <&3"),
            ("rebinding", "getent hosts rebind.test"),
            ("root_route", "sudo ip route add 10.9.9.9/32 dev eth0 && sudo ip neigh replace 10.9.9.9 lladdr 52:55:0a:00:02:02 dev eth0 && exec 3<>/dev/tcp/10.9.9.9/80"),
            ("root_dns_elsewhere", "echo nameserver 198.51.100.53 | sudo tee /etc/resolv.conf >/dev/null && getent hosts web.test"),
        ]);
        results["front_before_dns"].ShouldStartWith("fail");
        results["https"].ShouldBe("ok:hello-tls");
        results["http"].ShouldBe("ok:hello-http");
        results["wildcard"].ShouldBe("ok:hello-http");
        results["wildcard_apex"].ShouldStartWith("fail");
        results["unlisted_name"].ShouldStartWith("fail");
        results["sni_mismatch"].ShouldStartWith("fail");
        results["host_mismatch"].ShouldStartWith("fail");
        results["named_port"].ShouldBe("ok:ssh-banner");
        results["unlisted_port"].ShouldStartWith("fail");
        results["cidr_port"].ShouldBe("ok:cidr-banner");
        results["rebinding"].ShouldStartWith("fail");
        results["root_route"].ShouldStartWith("fail");
        results["root_dns_elsewhere"].ShouldStartWith("fail");
        unlisted.Connections.ShouldBe(0);
        results.Values.ShouldAllBe(v => v != "fail:124", "a denial must fail at once, not time out");
    }

    [Fact(Timeout = Timeout)]
    public async Task The_open_default_reaches_the_debian_mirror_with_apt_but_never_the_hosts_loopback_or_own_address()
    {
        await using var echo = LoopbackServer.Echo("loopback-banner");
        var own = HostSockets.OwnAddress();
        // apt without the translation indexes (32 MB to unpack under TCG): the same mirror, sources and download.
        var results = await CheckInGuestAsync(image.FastSpec, [
            ("loopback_by_gateway", $"exec 3<>/dev/tcp/10.0.2.2/{echo.Port}; head -1 <&3"),
            ("loopback_by_name", "getent hosts web.test"),
            ("own_address", own is null ? "false" : $"exec 3<>/dev/tcp/{own}/{echo.Port}; head -1 <&3"),
            ("udp", "echo x > /dev/udp/198.51.100.53/123"),
            new Check("apt", "cd /tmp && sudo apt-get -q -o Acquire::Languages=none update >/dev/null && apt-get -q download hello >/dev/null && ls hello_*.deb", Seconds: 600),
        ]);
        results["loopback_by_gateway"].ShouldStartWith("fail");
        results["loopback_by_name"].ShouldStartWith("fail");
        results["own_address"].ShouldStartWith("fail");
        results["apt"].ShouldStartWith("ok:hello_");
        echo.Connections.ShouldBe(0);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_spec_forward_listens_on_host_127_0_0_1_only_reaches_the_guests_port_and_goes_with_the_run()
    {
        var hostPort = HostSockets.FreePort();
        var spec = image.WriteSpec("it-net-forward", $"network:\n  forward: [\"{hostPort}:8000\"]\n");
        // The guest listens on its own 127.0.0.1 until one client has sent a line, then prints it.
        using var run = LetheProcess.Start(["run", "--spec", spec, "--", "bash", "-c", "timeout 120 nc -l 127.0.0.1 8000 | head -1"],
            cancellationToken: TestContext.Current.CancellationToken);
        run.StandardInput.Close();
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!run.HasExited && DateTime.UtcNow < deadline)
        {
            if (HostSockets.OwnAddress() is { } own)
                HostSockets.Reaches(own, hostPort).ShouldBeFalse("the forward listens on an address other than 127.0.0.1");
            HostSockets.Reaches(IPAddress.Loopback, hostPort, "through-the-forward\n");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
        await run.WaitForExitAsync(TestContext.Current.CancellationToken);
        run.ExitCode.ShouldBe(0, await stderr);
        (await stdout).ShouldBe("through-the-forward\n");
        HostSockets.Reaches(IPAddress.Loopback, hostPort).ShouldBeFalse("the forward outlived the run");
    }

    [Fact(Timeout = Timeout)]
    public async Task Mode_none_gives_the_machine_no_interface_but_loopback_no_route_and_a_resolver_naming_no_server()
    {
        var spec = image.WriteSpec("it-net-none", "network:\n  mode: none\n");
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
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
